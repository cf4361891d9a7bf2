package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;

/**
 * {@code source_ip}, {@code direct_remote_ip} and {@code remote_ip}: the peer's address is in the range. All three
 * read the connection's peer address: the mesh terminates the connection itself and trusts no {@code
 * x-forwarded-for} hop (Envoy's HCM defaults, {@code xff_num_trusted_hops: 0}), so Envoy's "remote" address is the
 * direct one here.
 */
final class RemoteIpMatcher extends RbacMatcher {
  private final String field;
  private final IpPrefix range;

  /** @param field the proto field this came from, for {@link #toString} */
  RemoteIpMatcher(String field, IpPrefix range) {
    this.field = field;
    this.range = range;
  }

  @Override
  boolean matches(InboundRequest request, String urlPath) {
    return range.contains(request.connection().facts().remoteAddress());
  }

  @Override
  public String toString() {
    return field + "(" + range + ")";
  }
}

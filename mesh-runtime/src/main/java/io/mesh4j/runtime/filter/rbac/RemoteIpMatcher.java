package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;

/**
 * {@code source_ip}, {@code direct_remote_ip} and {@code remote_ip}: the peer's address is in the range. All three
 * read the connection's peer address, as gRPC's proxyless servers do (gRFC A41): the application's server is the
 * first hop the mesh sees, and no {@code x-forwarded-for} entry is trusted to name another client.
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

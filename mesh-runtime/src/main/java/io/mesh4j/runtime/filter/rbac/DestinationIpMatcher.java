package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;

/** {@code destination_ip}: the address the connection was accepted on is in the range. */
final class DestinationIpMatcher extends RbacMatcher {
  private final IpPrefix range;

  DestinationIpMatcher(IpPrefix range) {
    this.range = range;
  }

  @Override
  boolean matches(InboundRequest request, String urlPath) {
    return range.contains(request.connection().facts().localAddress());
  }

  @Override
  public String toString() {
    return "destination_ip(" + range + ")";
  }
}

package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;

/** {@code destination_port_range}: the port the connection was accepted on is in [start, end). */
final class DestinationPortRangeMatcher extends RbacMatcher {
  private final int start;
  private final int end;

  DestinationPortRangeMatcher(int start, int end) {
    this.start = start;
    this.end = end;
  }

  @Override
  boolean matches(InboundRequest request, String urlPath) {
    int port = request.connection().facts().localAddress().getPort();
    return start <= port && port < end;
  }

  @Override
  public String toString() {
    return "destination_port_range[" + start + ", " + end + ")";
  }
}

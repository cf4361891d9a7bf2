package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;

/** {@code destination_port}: the port the connection was accepted on. */
final class DestinationPortMatcher extends RbacMatcher {
  private final int port;

  DestinationPortMatcher(int port) {
    this.port = port;
  }

  @Override
  boolean matches(InboundRequest request, String urlPath) {
    return request.connection().facts().localAddress().getPort() == port;
  }

  @Override
  public String toString() {
    return "destination_port(" + port + ")";
  }
}

package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;

/** {@code destination_port}: the port the connection was accepted on. */
final class DestinationPortMatcher implements RbacMatcher {
  private final int port;

  DestinationPortMatcher(int port) {
    this.port = port;
  }

  @Override
  public boolean matches(InboundRequest request) {
    return request.connection().facts().localAddress().getPort() == port;
  }

  @Override
  public String toString() {
    return "destination_port(" + port + ")";
  }
}

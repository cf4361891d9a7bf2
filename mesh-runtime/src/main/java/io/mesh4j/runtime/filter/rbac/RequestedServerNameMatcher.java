package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.matcher.StringMatcher;

/**
 * {@code requested_server_name}: the SNI of the connection's ClientHello; as in Envoy, a connection without one
 * (plaintext, or TLS without SNI) is matched as the empty string.
 */
final class RequestedServerNameMatcher extends RbacMatcher {
  private final StringMatcher serverName;
  private final int cost;

  RequestedServerNameMatcher(StringMatcher serverName, int cost) {
    this.serverName = serverName;
    this.cost = cost;
  }

  @Override
  boolean matches(InboundRequest request, String urlPath) {
    String sni = request.connection().facts().serverName();
    return serverName.matches(sni == null ? "" : sni);
  }

  @Override
  int cost() {
    return cost;
  }

  @Override
  public String toString() {
    return "requested_server_name(" + serverName + ")";
  }
}

package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.inbound.PeerIdentity;
import java.util.List;

/**
 * {@code authenticated}: the client presented a verified certificate and, when {@code principal_name} is set, one of
 * its names matches. As Envoy's {@code AuthenticatedMatcher} does, any URI SAN, then any DNS SAN, then the subject
 * (RFC 2253) is tried, so a certificate whose first URI SAN is not the one the policy names still matches by another.
 *
 * <p>A connection without a client certificate (plaintext, or TLS where the client sent none) never matches, with or
 * without {@code principal_name}: "authenticated" means a peer identity, as in gRPC's proxyless servers (Envoy would
 * match any TLS connection when {@code principal_name} is unset).
 */
final class AuthenticatedMatcher extends RbacMatcher {
  private final PrincipalNameMatcher principalName;
  private final int cost;

  /** @param principalName the names to accept, or null for any authenticated peer */
  AuthenticatedMatcher(PrincipalNameMatcher principalName, int cost) {
    this.principalName = principalName;
    this.cost = cost;
  }

  @Override
  boolean matches(InboundRequest request, String urlPath) {
    PeerIdentity peer = request.connection().peer();
    if (peer == null) {
      return false;
    }
    if (principalName == null) {
      return true;
    }
    return anyMatches(peer.uriSans()) || anyMatches(peer.dnsSans()) || principalName.matches(peer.subject());
  }

  private boolean anyMatches(List<String> names) {
    for (int i = 0; i < names.size(); i++) {
      if (principalName.matches(names.get(i))) {
        return true;
      }
    }
    return false;
  }

  @Override
  int cost() {
    return cost;
  }

  @Override
  public String toString() {
    return "authenticated(" + (principalName == null ? "any" : principalName) + ")";
  }
}

package io.mesh4j.spring.inbound;

import io.mesh4j.MeshPeer;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * The caller the mesh authenticated by its client certificate, as Spring Security sees it: the principal is the
 * peer's {@link MeshPeer#principalName()} (its SPIFFE ID in a mesh), with no authorities; authorize on the name
 * ({@code access(...)}, {@code @PreAuthorize("authentication.name == '...'")}) or map it to authorities in the
 * application. The server listener's RBAC has already admitted the request.
 */
public final class MeshPeerAuthentication extends AbstractAuthenticationToken {
  private final MeshPeer peer;

  public MeshPeerAuthentication(MeshPeer peer) {
    super(List.of());
    this.peer = peer;
    setAuthenticated(true);
  }

  /** The peer as the mesh saw it (its certificate's names). */
  public MeshPeer peer() {
    return peer;
  }

  @Override
  public Object getPrincipal() {
    return peer.principalName();
  }

  /** The client certificate was checked in the TLS handshake; there is nothing more to present. */
  @Override
  public Object getCredentials() {
    return null;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MeshPeerAuthentication that && super.equals(that) && peer.equals(that.peer);
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + peer.hashCode();
  }
}

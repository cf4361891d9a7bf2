package io.mesh4j.runtime.inbound;

import java.util.Objects;

/**
 * An accepted connection after its handshake: what RBAC and the application may know of it.
 *
 * @param facts what was known before the handshake (addresses, SNI, ALPN, TLS or not)
 * @param peer the client's certificate identity, or null (plaintext, or TLS without a client certificate)
 */
public record DownstreamConnection(ConnectionFacts facts, PeerIdentity peer) {
  public DownstreamConnection {
    Objects.requireNonNull(facts, "facts");
  }
}

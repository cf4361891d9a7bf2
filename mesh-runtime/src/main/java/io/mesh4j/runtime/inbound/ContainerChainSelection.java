package io.mesh4j.runtime.inbound;

import java.util.Map;

/**
 * The filter chain for a request whose connection a web container (servlet container, Reactor Netty) accepted and
 * terminated, so the mesh sees the connection only through the request: its addresses, whether it is TLS, and the
 * client certificate. Shared by the server adapters that sit inside such a container (the servlet filter, the
 * Spring WebFlux {@code WebFilter}) so they refuse the same requests with the same replies.
 *
 * @param chain the chain to run the request through, or null when {@link #refusal} ends it
 * @param refusal the local reply when no chain takes the request, or null
 */
public record ContainerChainSelection(InboundChain chain, InboundReply refusal) {

  /**
   * Selects the chain for a request: 503 while the port's listener has not arrived, 403 when no chain matches or the
   * request breaks the chain's TLS terms (a chain with TLS refuses plaintext, and one requiring a client certificate
   * refuses a request without: the chain's own handshake would have refused the connection).
   *
   * @param facts the connection as the container tells it ({@link ConnectionFacts#isTls()} from the container)
   * @param peer the client certificate's identity, or null
   */
  public static ContainerChainSelection select(InboundPort port, ConnectionFacts facts, PeerIdentity peer) {
    InboundChain chain = port.chainFor(facts);
    if (chain == null) {
      boolean ready = port.ready().toCompletableFuture().isDone();
      return refused(ready
          ? new InboundReply(403, "mesh: no filter chain of the server listener accepts this connection", Map.of(),
              "no filter chain")
          : new InboundReply(503, "mesh: the server listener for port " + port.port() + " has not arrived",
              Map.of(), "not ready"));
    }
    String breach = tlsBreach(chain, facts.isTls(), peer);
    if (breach != null) {
      return refused(new InboundReply(403, breach, Map.of(), "TLS terms"));
    }
    return new ContainerChainSelection(chain, null);
  }

  private static ContainerChainSelection refused(InboundReply reply) {
    return new ContainerChainSelection(null, reply);
  }

  /** Why a request breaks its chain's TLS terms, or null. */
  private static String tlsBreach(InboundChain chain, boolean secure, PeerIdentity peer) {
    if (chain.tls() == null) {
      return null;
    }
    if (!secure) {
      return "mesh: this port's filter chain requires TLS";
    }
    if (chain.tls().requireClientCertificate() && peer == null) {
      return "mesh: this port's filter chain requires a client certificate";
    }
    return null;
  }
}

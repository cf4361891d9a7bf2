package io.mesh4j.runtime.inbound;

/**
 * The filter chain a connection was matched to: how to terminate its TLS, and the HCM that handles its requests.
 * Immutable: a connection keeps the chain it was matched to (as in Envoy, a listener update drains old connections
 * rather than changing them).
 */
public interface InboundChain {

  /** The chain's name (for the log and the status view). */
  String name();

  /** How to terminate TLS, or null for a plaintext chain. */
  ServerTls tls();

  /**
   * Handles one request in Envoy's order: the route is selected over the HCM's route config, the HTTP filters run in
   * order with the config that applies to that route (the first reply ends the request), then the router decides: a
   * {@code non_forwarding_action} route lets it through; no route (404), a direct response or a redirect answer
   * locally, and a route that would forward to a cluster answers 503 (gRPC UNAVAILABLE).
   *
   * @return null to hand the request to the application, or the reply that ends it
   */
  InboundReply handle(InboundRequest request);
}

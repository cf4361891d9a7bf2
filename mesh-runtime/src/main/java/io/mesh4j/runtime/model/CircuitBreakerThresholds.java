package io.mesh4j.runtime.model;

/**
 * The DEFAULT-priority {@code circuit_breakers.thresholds} of a cluster, Envoy's defaults for unset fields. Every
 * route is DEFAULT priority here (RouteAction {@code priority} is not acted on), so HIGH thresholds never apply.
 *
 * <p>What a "connection" is for an in-process HTTP/1.1 client: OkHttp opens one connection per concurrent request to
 * an endpoint, so the attempts in flight to the cluster are its connections. An attempt beyond
 * {@code maxConnections} is what Envoy would queue as pending; beyond {@code maxConnections + maxPendingRequests}
 * it overflows. (HTTP/2 multiplexes, which makes this stricter than Envoy for h2 upstreams.)
 */
public record CircuitBreakerThresholds(
    long maxConnections, long maxPendingRequests, long maxRequests, long maxRetries) {
  public static final long DEFAULT_MAX_CONNECTIONS = 1024;
  public static final long DEFAULT_MAX_PENDING_REQUESTS = 1024;
  public static final long DEFAULT_MAX_REQUESTS = 1024;
  public static final long DEFAULT_MAX_RETRIES = 3;
  public static final CircuitBreakerThresholds DEFAULT = new CircuitBreakerThresholds(
      DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PENDING_REQUESTS, DEFAULT_MAX_REQUESTS, DEFAULT_MAX_RETRIES);

  public CircuitBreakerThresholds {
    if (maxConnections < 0 || maxPendingRequests < 0 || maxRequests < 0 || maxRetries < 0) {
      throw new IllegalArgumentException("limits must not be negative");
    }
  }

  /** Attempts in flight allowed before a new one overflows: the connections plus the pending queue. */
  public long maxInFlightAttempts() {
    return Math.min(maxRequests, maxConnections + maxPendingRequests);
  }
}

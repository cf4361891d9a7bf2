package io.mesh4j.runtime.metrics;

/**
 * Where a finished request is recorded, whichever side saw it: the client transports as reporter {@code source},
 * the server adapters as {@code destination}. Implemented over Micrometer; the mesh holds none when the
 * application gave no registry, so a request without metrics pays nothing.
 */
public interface RequestMetrics {
  /**
   * One request that ended: counted in {@code istio_requests_total}, its duration (until the response was complete
   * or failed) in {@code istio_request_duration_milliseconds}, its body sizes in {@code istio_request_bytes} and
   * {@code istio_response_bytes}.
   */
  void record(RequestLabels labels, long durationNanos, long requestBytes, long responseBytes);

  /**
   * The meters of one label set, for a caller that keeps them so that recording a request looks nothing up; by
   * default one that calls {@link #record}.
   */
  default Series series(RequestLabels labels) {
    return (durationNanos, requestBytes, responseBytes) -> record(labels, durationNanos, requestBytes, responseBytes);
  }

  /** {@link #record} for one label set. */
  @FunctionalInterface
  interface Series {
    void record(long durationNanos, long requestBytes, long responseBytes);
  }

  /**
   * What the router did for one call to {@code cluster}, as Envoy's cluster stats count it.
   *
   * @param retries the attempts after the first ({@code upstream_rq_retry})
   * @param retrySucceeded the last attempt was a retry and was not itself retriable ({@code upstream_rq_retry_success})
   * @param retryOverflow a retry was refused by the {@code max_retries} breaker ({@code upstream_rq_retry_overflow})
   * @param flags the call's response flags: UO counts as {@code upstream_rq_pending_overflow}, FI and DI as fault
   *     injections, local replies by flag
   */
  void upstream(String cluster, int retries, boolean retrySucceeded, boolean retryOverflow, int flags);
}

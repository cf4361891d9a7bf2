package io.mesh4j.runtime.policy;

import io.mesh4j.runtime.model.CircuitBreakerThresholds;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live counters behind a cluster's circuit breakers. Lock-free: a slot is taken by incrementing and given back
 * when over the limit, so two racing requests can never both pass the last slot. The limits are read from the
 * current thresholds on each call, so the counters carry on across config updates.
 */
public final class CircuitBreaker {
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong retryOverflows = new AtomicLong();

  /** Takes a slot for one attempt, or returns false when the cluster overflows. */
  public boolean tryAcquireAttempt(CircuitBreakerThresholds limits) {
    return tryAcquire(inFlight, limits.maxInFlightAttempts());
  }

  public void releaseAttempt() {
    inFlight.decrementAndGet();
  }

  /**
   * Takes a slot for one retry in progress ({@code max_retries}), or returns false when none is left and counts the
   * overflow ({@link #retryOverflows()}).
   */
  public boolean tryAcquireRetry(CircuitBreakerThresholds limits) {
    if (tryAcquire(retries, limits.maxRetries())) {
      return true;
    }
    retryOverflows.incrementAndGet();
    return false;
  }

  public void releaseRetry() {
    retries.decrementAndGet();
  }

  /** For tests and status: attempts in flight. */
  public long attemptsInFlight() {
    return inFlight.get();
  }

  /** For tests and status: retries in progress. */
  public long retriesInProgress() {
    return retries.get();
  }

  /**
   * Envoy's {@code upstream_rq_retry_overflow}: retries not made because {@code max_retries} were in use. As in Envoy,
   * a retriable response that overflows is returned to the caller as it is (no header added); a retriable failure
   * carries a suppressed "not retried" note. This counter is how the overflow is seen; it lives as long as the
   * cluster's circuit-breaker counters (across config updates) and is meant for metrics.
   */
  public long retryOverflows() {
    return retryOverflows.get();
  }

  private static boolean tryAcquire(AtomicLong counter, long limit) {
    if (counter.incrementAndGet() <= limit) {
      return true;
    }
    counter.decrementAndGet();
    return false;
  }
}

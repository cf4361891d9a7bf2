package io.mesh4j.runtime.policy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The live counters behind a cluster's circuit breakers. Lock-free: a slot is taken by incrementing and given back
 * when over the limit, so two racing requests can never both pass the last slot. The limits are read from the
 * current thresholds on each call, so the counters carry on across config updates.
 */
public final class CircuitBreaker {
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();

  /** Takes a slot for one attempt, or returns false when the cluster overflows. */
  public boolean tryAcquireAttempt(CircuitBreakerThresholds limits) {
    return tryAcquire(inFlight, limits.maxInFlightAttempts());
  }

  public void releaseAttempt() {
    inFlight.decrementAndGet();
  }

  /** Takes a slot for one retry in progress ({@code max_retries}), or returns false when none is left. */
  public boolean tryAcquireRetry(CircuitBreakerThresholds limits) {
    return tryAcquire(retries, limits.maxRetries());
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

  private static boolean tryAcquire(AtomicLong counter, long limit) {
    if (counter.incrementAndGet() <= limit) {
      return true;
    }
    counter.decrementAndGet();
    return false;
  }
}

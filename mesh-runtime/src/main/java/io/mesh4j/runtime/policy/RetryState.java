package io.mesh4j.runtime.policy;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.runtime.model.CircuitBreakerThresholds;
import io.mesh4j.runtime.view.RequestView;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.view.ResponseView;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The router's decisions for one call, as steps a transport drives: the circuit-breaker slot of each attempt, the
 * outcome reported to outlier detection, whether an outcome is retriable and may be retried, the {@code max_retries}
 * slot, the back-off and the re-pick (with {@code previous_hosts}). {@link AttemptSequencer} puts them in order for
 * both transports; the semantics live here, once.
 *
 * <p>Not thread-safe: a call drives its own state from one attempt at a time.
 */
final class RetryState {
  private final PolicyEnvironment env;
  private final UpstreamCluster cluster;
  private final CircuitBreaker breaker;
  private final CircuitBreakerThresholds limits;
  private final RetryPolicy policy;
  private final RequestView request;
  private final long deadlineNanoTime;
  private final int maxAttempts;
  /** The first attempt's endpoint, and the retries' ones (made at the first retry). */
  private LbEndpoint firstTried;
  private List<LbEndpoint> retriesTried;
  private boolean holdingRetry;

  /**
   * @param deadlineNanoTime when the whole call times out, on the environment's clock; {@code Long.MAX_VALUE} for never
   */
  RetryState(PolicyEnvironment env, UpstreamCluster cluster, RoutePolicy route, RequestView request,
      long deadlineNanoTime) {
    this.env = Objects.requireNonNull(env, "env");
    this.cluster = cluster;
    this.breaker = cluster.policy().breaker();
    this.limits = cluster.cluster().circuitBreakers();
    this.policy = route.retry();
    this.request = request;
    this.deadlineNanoTime = deadlineNanoTime;
    this.maxAttempts = policy == null ? 1 : policy.numRetries() + 1;
  }

  public UpstreamCluster cluster() {
    return cluster;
  }

  /**
   * Takes the circuit-breaker slot for an attempt to {@code endpoint} (and remembers the endpoint as tried).
   *
   * @return {@code null} when the slot is taken, else the overflow to fail the call with
   */
  public MeshRoutingException startAttempt(LbEndpoint endpoint) {
    if (firstTried == null) {
      firstTried = endpoint;
    } else {
      if (retriesTried == null) {
        retriesTried = new ArrayList<>(2);
      }
      retriesTried.add(endpoint);
    }
    if (breaker.tryAcquireAttempt(limits)) {
      return null;
    }
    return new MeshRoutingException(Reason.OVERFLOW, "cluster '" + cluster.name()
        + "': too many requests in flight (max_requests " + limits.maxRequests() + ", max_connections + "
        + "max_pending_requests " + (limits.maxConnections() + limits.maxPendingRequests()) + ")");
  }

  /** Gives back the slot {@link #startAttempt} took, once the attempt is over. */
  public void endAttempt() {
    breaker.releaseAttempt();
  }

  /**
   * Reports an attempt's outcome to the cluster (outlier detection) as an HTTP status, and gives back the retry slot
   * that attempt held, if any.
   */
  public void finished(LbEndpoint endpoint, int status) {
    cluster.attemptFinished(endpoint, status);
    releaseRetry();
  }

  /** {@link #finished} for an attempt that failed without a response. */
  public void failed(LbEndpoint endpoint, AttemptFailure failure) {
    finished(endpoint, failure.equivalentStatus());
  }

  /** The route timeout cut an attempt short: Envoy reports that to outlier detection as a 504. */
  public void timedOut(LbEndpoint endpoint) {
    cluster.attemptFinished(endpoint, 504);
  }

  /** Whether the policy would retry this response (whether it may is {@link #blocker}'s business). */
  public boolean retriable(ResponseView response) {
    return policy != null && RetryClassifier.retriable(policy, response);
  }

  /** Whether the policy would retry this failure. */
  public boolean retriable(AttemptFailure failure) {
    return policy != null && RetryClassifier.retriable(policy, failure);
  }

  /** Whether attempts remain after {@code attempt}, whatever else blocks a retry. */
  public boolean attemptsRemain(int attempt) {
    return attempt < maxAttempts;
  }

  /**
   * Why a retriable outcome of {@code attempt} may not be retried, or {@code null} when it may (the retry breaker
   * aside: {@link #tryAcquireRetry}).
   *
   * @param replayable whether the request body (if any) can be sent again
   */
  public String blocker(int attempt, boolean replayable) {
    if (attempt >= maxAttempts) {
      return "num_retries (" + policy.numRetries() + ") exhausted";
    }
    if (!replayable) {
      return "the request body is one-shot and cannot be sent again";
    }
    if (!policy.requestIsRetriable(request)) {
      return "the request matches none of retriable_request_headers";
    }
    if (deadlineNanoTime != Long.MAX_VALUE && deadlineNanoTime - env.nanoClock().getAsLong() <= 0) {
      return "the route timeout has expired";
    }
    return null;
  }

  /** Takes a {@code max_retries} slot, held until the retry's outcome is reported; false when none is left. */
  public boolean tryAcquireRetry() {
    if (!breaker.tryAcquireRetry(limits)) {
      return false;
    }
    holdingRetry = true;
    return true;
  }

  /** Why {@link #tryAcquireRetry} failed. */
  public String retryOverflow() {
    return "the cluster's max_retries (" + limits.maxRetries() + ") are in use";
  }

  /**
   * The back-off before the retry that follows {@code attempt}. A back-off the deadline would cut short fails the
   * call now with UPSTREAM_TIMEOUT, which is what Envoy's global timeout would answer when it fired during it.
   */
  public long backoffNanos(int attempt) throws MeshRoutingException {
    long delay = policy.backoff().delayNanos(attempt, env.random().getAsLong());
    if (deadlineNanoTime != Long.MAX_VALUE && deadlineNanoTime - env.nanoClock().getAsLong() <= delay) {
      throw new MeshRoutingException(Reason.UPSTREAM_TIMEOUT,
          "cluster '" + cluster.name() + "': the route timeout expires before retry " + attempt + " can start");
    }
    return delay;
  }

  /** The endpoint of the next retry, avoiding the ones tried when the policy's {@code previous_hosts} asks. */
  public LbEndpoint repick() throws MeshRoutingException {
    LbEndpoint next = cluster.pick();
    if (policy.avoidPreviousHosts()) {
      // Envoy's previous_hosts: pick again up to host_selection_retry_max_attempts times, then take the last pick.
      for (int i = 0; i < policy.hostSelectionMaxAttempts() && next != null && tried(next); i++) {
        next = cluster.pick();
      }
    }
    if (next == null) {
      throw new MeshRoutingException(
          Reason.NO_HEALTHY_UPSTREAM, "cluster '" + cluster.name() + "' has no healthy endpoint left to retry on");
    }
    return next;
  }

  private boolean tried(LbEndpoint endpoint) {
    return endpoint.equals(firstTried) || retriesTried != null && retriesTried.contains(endpoint);
  }

  /** Gives back a {@code max_retries} slot still held (the call ended before the retry's outcome was known). */
  public void releaseRetry() {
    if (holdingRetry) {
      holdingRetry = false;
      breaker.releaseRetry();
    }
  }
}

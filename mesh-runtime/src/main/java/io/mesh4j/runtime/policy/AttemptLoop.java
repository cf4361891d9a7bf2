package io.mesh4j.runtime.policy;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.route.RequestView;
import io.mesh4j.runtime.xds.resource.LbEndpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Sends one request as one or more attempts, Envoy's router semantics: circuit breakers before each attempt, the
 * outcome reported to the cluster (outlier detection), the retry policy consulted, back-off slept through the
 * injected {@link Sleeper}, and the endpoint picked again for each retry (avoiding the ones tried when the policy's
 * {@code previous_hosts} predicate asks). Transports supply the attempts through {@link Transport} and only
 * translate.
 *
 * <p>A retry is attempted only when all of these hold (see {@link #retryBlocker}): attempts remain, the request
 * body can be sent again, {@code retriable_request_headers} allow it, the call's deadline leaves room for the
 * back-off, and the cluster's {@code max_retries} breaker has a slot (held from the decision until that retry's
 * outcome is known). When the last attempt failed without a response, its exception is thrown with every earlier
 * attempt's failure, and the reason no retry followed, as suppressed exceptions.
 */
public final class AttemptLoop {
  /** One transport's way of sending attempts. */
  public interface Transport<R> {
    /**
     * Sends one attempt to {@code endpoint} and returns once the response headers have arrived.
     *
     * @param attempt 1 for the first attempt
     */
    R send(LbEndpoint endpoint, int attempt) throws IOException;

    ResponseView view(R response);

    /** How an attempt's exception counts, or {@code null} when it is not the upstream's doing (caller cancel). */
    AttemptFailure classify(IOException failure);

    /** Releases a response that will be retried (closes its body). */
    void discard(R response);

    /** The response handed to the caller; {@code onComplete} must run once its body is closed or exhausted. */
    R deliver(R response, Runnable onComplete);
  }

  private final PolicyEnvironment env;

  public AttemptLoop(PolicyEnvironment env) {
    this.env = Objects.requireNonNull(env, "env");
  }

  /**
   * @param first the first attempt's endpoint
   * @param replayable whether the request body (if any) can be sent again
   * @param grpc whether the request is gRPC, for the gRPC retry conditions
   * @param deadlineNanoTime when the whole call times out, on the environment's clock; {@code Long.MAX_VALUE} for never
   */
  public <R> R execute(
      ClusterRuntime cluster,
      LbEndpoint first,
      RoutePolicy route,
      RequestView request,
      boolean replayable,
      boolean grpc,
      long deadlineNanoTime,
      Transport<R> transport)
      throws IOException {
    CircuitBreaker breaker = cluster.policy().breaker();
    CircuitBreakerThresholds limits = cluster.cluster().circuitBreakers();
    RetryPolicy policy = route.retry();
    int maxAttempts = policy == null ? 1 : policy.numRetries() + 1;
    LbEndpoint endpoint = first;
    List<LbEndpoint> tried = new ArrayList<>(2);
    List<IOException> earlier = new ArrayList<>(0);
    boolean holdingRetry = false;
    try {
      for (int attempt = 1; ; attempt++) {
        tried.add(endpoint);
        if (!breaker.tryAcquireAttempt(limits)) {
          throw withEarlier(new MeshRoutingException(Reason.OVERFLOW, "cluster '" + cluster.name()
              + "': too many requests in flight (max_requests " + limits.maxRequests() + ", max_connections + "
              + "max_pending_requests " + (limits.maxConnections() + limits.maxPendingRequests()) + ")"), earlier);
        }
        R response;
        try {
          response = transport.send(endpoint, attempt);
        } catch (IOException e) {
          breaker.releaseAttempt();
          AttemptFailure failure = transport.classify(e);
          if (failure == null) {
            if (e instanceof MeshRoutingException m && m.reason() == Reason.UPSTREAM_TIMEOUT) {
              // The route timeout cut this attempt short: Envoy reports that to outlier detection as a 504.
              cluster.attemptFinished(endpoint, 504);
            }
            throw withEarlier(e, earlier);
          }
          cluster.attemptFinished(endpoint, failure.equivalentStatus());
          if (holdingRetry) {
            breaker.releaseRetry();
            holdingRetry = false;
          }
          String blocker = policy == null || !RetryClassifier.retriable(policy, failure)
              ? null
              : retryBlocker(attempt, maxAttempts, replayable, policy, request, deadlineNanoTime);
          if (policy == null || !RetryClassifier.retriable(policy, failure) || blocker != null) {
            IOException thrown = failure == AttemptFailure.TIMEOUT ? timeout(cluster, endpoint, e) : e;
            if (blocker != null && attempt < maxAttempts) {
              thrown.addSuppressed(new NotRetried(blocker));
            }
            throw withEarlier(thrown, earlier);
          }
          if (!breaker.tryAcquireRetry(limits)) {
            e.addSuppressed(new NotRetried("the cluster's max_retries (" + limits.maxRetries() + ") are in use"));
            throw withEarlier(failure == AttemptFailure.TIMEOUT ? timeout(cluster, endpoint, e) : e, earlier);
          }
          holdingRetry = true;
          earlier.add(e);
          endpoint = backOffAndRepick(cluster, policy, attempt, tried, deadlineNanoTime);
          continue;
        }
        ResponseView view = transport.view(response);
        cluster.attemptFinished(endpoint, view.status());
        if (holdingRetry) {
          breaker.releaseRetry();
          holdingRetry = false;
        }
        if (policy != null
            && RetryClassifier.retriable(policy, view, grpc)
            && retryBlocker(attempt, maxAttempts, replayable, policy, request, deadlineNanoTime) == null
            && breaker.tryAcquireRetry(limits)) {
          holdingRetry = true;
          transport.discard(response);
          breaker.releaseAttempt();
          endpoint = backOffAndRepick(cluster, policy, attempt, tried, deadlineNanoTime);
          continue;
        }
        // The caller gets this response: its body keeps the attempt's slot until it is closed.
        return transport.deliver(response, breaker::releaseAttempt);
      }
    } finally {
      if (holdingRetry) {
        breaker.releaseRetry();
      }
    }
  }

  /** Why a retriable outcome may not be retried, or {@code null} when it may. One reason per line. */
  String retryBlocker(
      int attempt, int maxAttempts, boolean replayable, RetryPolicy policy, RequestView request, long deadline) {
    if (attempt >= maxAttempts) {
      return "num_retries (" + policy.numRetries() + ") exhausted";
    }
    if (!replayable) {
      return "the request body is one-shot and cannot be sent again";
    }
    if (!policy.requestIsRetriable(request)) {
      return "the request matches none of retriable_request_headers";
    }
    if (deadline != Long.MAX_VALUE && deadline - env.nanoClock().getAsLong() <= 0) {
      return "the route timeout has expired";
    }
    return null;
  }

  /**
   * Sleeps the back-off, then picks the next endpoint. A back-off the deadline would cut short fails the call now
   * with UPSTREAM_TIMEOUT, which is what Envoy's global timeout would answer when it fired during the back-off.
   */
  private LbEndpoint backOffAndRepick(
      ClusterRuntime cluster, RetryPolicy policy, int attempt, List<LbEndpoint> tried, long deadline)
      throws IOException {
    long delay = policy.backoff().delayNanos(attempt, env.random().getAsLong());
    if (deadline != Long.MAX_VALUE && deadline - env.nanoClock().getAsLong() <= delay) {
      throw new MeshRoutingException(Reason.UPSTREAM_TIMEOUT,
          "cluster '" + cluster.name() + "': the route timeout expires before retry " + attempt + " can start");
    }
    if (delay > 0) {
      env.sleeper().sleep(delay);
    }
    LbEndpoint next = cluster.pick();
    if (policy.avoidPreviousHosts()) {
      // Envoy's previous_hosts: pick again up to host_selection_retry_max_attempts times, then take the last pick.
      for (int i = 0; i < policy.hostSelectionMaxAttempts() && next != null && tried.contains(next); i++) {
        next = cluster.pick();
      }
    }
    if (next == null) {
      throw new MeshRoutingException(
          Reason.NO_HEALTHY_UPSTREAM, "cluster '" + cluster.name() + "' has no healthy endpoint left to retry on");
    }
    return next;
  }

  private static MeshRoutingException timeout(ClusterRuntime cluster, LbEndpoint endpoint, IOException cause) {
    MeshRoutingException timeout = new MeshRoutingException(Reason.UPSTREAM_TIMEOUT,
        "cluster '" + cluster.name() + "': " + endpoint.hostPort() + " did not answer within the per-try timeout");
    timeout.initCause(cause);
    return timeout;
  }

  private static <E extends IOException> E withEarlier(E thrown, List<IOException> earlier) {
    for (IOException e : earlier) {
      if (e != thrown) {
        thrown.addSuppressed(e);
      }
    }
    return thrown;
  }

  /** Attached (suppressed) to a failure that a retry policy would have retried, saying why it was not. */
  static final class NotRetried extends Exception {
    NotRetried(String why) {
      super("not retried: " + why, null, false, false);
    }
  }
}

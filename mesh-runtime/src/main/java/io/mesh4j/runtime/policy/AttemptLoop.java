package io.mesh4j.runtime.policy;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.runtime.view.RequestView;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.view.ResponseView;
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
 * <p>The decisions themselves are {@link RetryState}'s, shared with the asynchronous gRPC transport.
 *
 * <p>A retry is attempted only when all of these hold (see {@link RetryState#blocker}): attempts remain, the request
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
   * @param deadlineNanoTime when the whole call times out, on the environment's clock; {@code Long.MAX_VALUE} for never
   */
  public <R> R execute(
      UpstreamCluster cluster,
      LbEndpoint first,
      RoutePolicy route,
      RequestView request,
      boolean replayable,
      long deadlineNanoTime,
      Transport<R> transport)
      throws IOException {
    RetryState state = new RetryState(env, cluster, route, request, deadlineNanoTime);
    LbEndpoint endpoint = first;
    List<IOException> earlier = new ArrayList<>(0);
    try {
      for (int attempt = 1; ; attempt++) {
        MeshRoutingException overflow = state.startAttempt(endpoint);
        if (overflow != null) {
          throw withEarlier(overflow, earlier);
        }
        R response;
        try {
          response = transport.send(endpoint, attempt);
        } catch (IOException e) {
          state.endAttempt();
          AttemptFailure failure = transport.classify(e);
          if (failure == null) {
            if (e instanceof MeshRoutingException m && m.reason() == Reason.UPSTREAM_TIMEOUT) {
              state.timedOut(endpoint);
            }
            throw withEarlier(e, earlier);
          }
          state.failed(endpoint, failure);
          boolean retriable = state.retriable(failure);
          String blocker = retriable ? state.blocker(attempt, replayable) : null;
          if (!retriable || blocker != null) {
            IOException thrown = failure == AttemptFailure.TIMEOUT ? timeout(cluster, endpoint, e) : e;
            if (blocker != null && state.attemptsRemain(attempt)) {
              thrown.addSuppressed(new NotRetried(blocker));
            }
            throw withEarlier(thrown, earlier);
          }
          if (!state.tryAcquireRetry()) {
            e.addSuppressed(new NotRetried(state.retryOverflow()));
            throw withEarlier(failure == AttemptFailure.TIMEOUT ? timeout(cluster, endpoint, e) : e, earlier);
          }
          earlier.add(e);
          endpoint = backOffAndRepick(state, attempt);
          continue;
        }
        ResponseView view = transport.view(response);
        state.finished(endpoint, view.status());
        if (state.retriable(view) && state.blocker(attempt, replayable) == null && state.tryAcquireRetry()) {
          transport.discard(response);
          state.endAttempt();
          endpoint = backOffAndRepick(state, attempt);
          continue;
        }
        // The caller gets this response: its body keeps the attempt's slot until it is closed.
        return transport.deliver(response, state::endAttempt);
      }
    } finally {
      state.releaseRetry();
    }
  }

  /** Sleeps the back-off (failing the call when the deadline would cut it short), then picks the next endpoint. */
  private LbEndpoint backOffAndRepick(RetryState state, int attempt) throws IOException {
    long delay = state.backoffNanos(attempt);
    if (delay > 0) {
      env.sleeper().sleep(delay);
    }
    return state.repick();
  }

  private static MeshRoutingException timeout(UpstreamCluster cluster, LbEndpoint endpoint, IOException cause) {
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

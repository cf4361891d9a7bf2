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
 * Sends one request as one or more attempts, blocking: the thin synchronous driver of {@link AttemptSequencer}, the
 * attempt sequence the asynchronous gRPC transport drives too (circuit breakers before each attempt, the outcome
 * reported to the cluster, the retry policy consulted, the endpoint picked again for each retry). The back-off is
 * slept through the injected {@link Sleeper}. Transports supply the attempts through {@link Transport} and only
 * translate.
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

    /** A retriable outcome is delivered anyway, for this reason (for metrics: URX, retry overflow). */
    default void notRetried(AttemptSequencer.NotRetried why) {}
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
    AttemptSequencer attempts =
        new AttemptSequencer(env, cluster, first, route, request, replayable, deadlineNanoTime);
    List<IOException> earlier = null; // made at the first retried failure
    try {
      while (true) {
        MeshRoutingException overflow = attempts.startAttempt();
        if (overflow != null) {
          throw withEarlier(overflow, earlier);
        }
        LbEndpoint endpoint = attempts.endpoint();
        R response;
        try {
          response = transport.send(endpoint, attempts.attempt());
        } catch (IOException e) {
          attempts.attemptEnded();
          AttemptFailure failure = transport.classify(e);
          if (failure == null) {
            if (e instanceof MeshRoutingException m && m.reason() == Reason.UPSTREAM_TIMEOUT) {
              attempts.cutShortByRouteTimeout();
            }
            throw withEarlier(e, earlier);
          }
          AttemptSequencer.Verdict verdict = attempts.failed(failure, false);
          if (verdict.notRetried() != null) {
            transport.notRetried(verdict.notRetried());
          }
          if (verdict.kind() == AttemptSequencer.Kind.DELIVER) {
            IOException thrown = failure == AttemptFailure.TIMEOUT ? timeout(cluster, endpoint, e) : e;
            if (verdict.notRetried() == AttemptSequencer.NotRetried.RETRY_OVERFLOW) {
              e.addSuppressed(new NotRetried(verdict.reason()));
            } else if (verdict.notRetried() == AttemptSequencer.NotRetried.BLOCKED) {
              thrown.addSuppressed(new NotRetried(verdict.reason()));
            }
            throw withEarlier(thrown, earlier);
          }
          if (earlier == null) {
            earlier = new ArrayList<>(2);
          }
          earlier.add(e);
          backOff(attempts, verdict);
          continue;
        }
        ResponseView view = transport.view(response);
        AttemptSequencer.Verdict verdict = attempts.answered(view, view.status(), false);
        if (verdict.notRetried() != null) {
          transport.notRetried(verdict.notRetried());
        }
        if (verdict.kind() == AttemptSequencer.Kind.DELIVER) {
          // The caller gets this response: its body keeps the attempt's slot until it is closed.
          return transport.deliver(response, attempts::attemptEnded);
        }
        transport.discard(response);
        attempts.attemptEnded();
        backOff(attempts, verdict);
      }
    } finally {
      attempts.close();
    }
  }

  /** Sleeps a retry's back-off, then picks its endpoint; or fails the call when the deadline would cut it short. */
  private void backOff(AttemptSequencer attempts, AttemptSequencer.Verdict verdict) throws IOException {
    if (verdict.kind() == AttemptSequencer.Kind.FAIL) {
      throw verdict.failure();
    }
    if (verdict.backoffNanos() > 0) {
      env.sleeper().sleep(verdict.backoffNanos());
    }
    attempts.nextEndpoint();
  }

  private static MeshRoutingException timeout(UpstreamCluster cluster, LbEndpoint endpoint, IOException cause) {
    MeshRoutingException timeout = new MeshRoutingException(Reason.UPSTREAM_TIMEOUT,
        "cluster '" + cluster.name() + "': " + endpoint.hostPort() + " did not answer within the per-try timeout");
    timeout.initCause(cause);
    return timeout;
  }

  private static <E extends IOException> E withEarlier(E thrown, List<IOException> earlier) {
    if (earlier == null) {
      return thrown;
    }
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

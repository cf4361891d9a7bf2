package io.mesh4j.runtime.policy;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.view.RequestView;
import io.mesh4j.runtime.view.ResponseView;

/**
 * The attempts of one routed call, in order, with Envoy's router semantics; the one sequence both transports follow.
 * It is driven by events rather than owning a loop: the transport starts an attempt ({@link #startAttempt}: the
 * cluster's circuit-breaker slot), reports how it ended ({@link #answered} or {@link #failed}: the outcome goes to
 * outlier detection), and follows the {@link Verdict}: deliver the outcome, retry after a back-off (then
 * {@link #nextEndpoint}, avoiding previous hosts when the policy asks, and start again), or fail because the back-off
 * would outlast the call's deadline. {@link AttemptLoop} drives it blocking for OkHttp, sleeping the back-off;
 * the gRPC call drives it from its callbacks, with the back-off on the environment's scheduler.
 *
 * <p>The decisions behind each answer are {@link RetryState}'s. Not thread-safe: a call drives its own sequence,
 * one attempt at a time.
 */
public final class AttemptSequencer {
  private final RetryState state;
  private final boolean replayable;
  private LbEndpoint endpoint;
  private int attempt;

  /**
   * @param first the first attempt's endpoint (the engine's pick)
   * @param replayable whether the request body (if any) can be sent again
   * @param deadlineNanoTime when the whole call times out, on the environment's clock; {@code Long.MAX_VALUE} for
   *     never ({@link CallDeadline#nanoTime()})
   */
  public AttemptSequencer(PolicyEnvironment env, UpstreamCluster cluster, LbEndpoint first, RoutePolicy route,
      RequestView request, boolean replayable, long deadlineNanoTime) {
    this.state = new RetryState(env, cluster, route, request, deadlineNanoTime);
    this.replayable = replayable;
    this.endpoint = first;
  }

  /** The endpoint of the current (or next) attempt. */
  public LbEndpoint endpoint() {
    return endpoint;
  }

  /** The number of the attempt last started, 1 for the first. */
  public int attempt() {
    return attempt;
  }

  /** Whether the policy allows any retry at all (a call that cannot retry need not keep what a retry would need). */
  public boolean retriesPossible() {
    return state.attemptsRemain(1);
  }

  /**
   * Starts the next attempt on {@link #endpoint()}: takes its circuit-breaker slot and numbers it.
   *
   * @return {@code null} when the attempt may go, else the overflow (503 UO) to fail the call with
   */
  public MeshRoutingException startAttempt() {
    attempt++;
    return state.startAttempt(endpoint);
  }

  /** Gives back the circuit-breaker slot of the attempt started last, once that attempt is over. */
  public void attemptEnded() {
    state.endAttempt();
  }

  /** The call's route timeout cut the current attempt short: reported to outlier detection as a timeout (504). */
  public void cutShortByRouteTimeout() {
    state.timedOut(endpoint);
  }

  /**
   * The current attempt got a response.
   *
   * @param outlierStatus the HTTP status the response counts as for outlier detection
   * @param committed whether the call can no longer retry whatever the policy says (the response already reached
   *     the caller, or the request cannot be replayed): the outcome is then delivered without a note
   */
  public Verdict answered(ResponseView response, int outlierStatus, boolean committed) {
    state.finished(endpoint, outlierStatus);
    if (committed || !state.retriable(response)) {
      return Verdict.DELIVER;
    }
    return retryOrNot();
  }

  /**
   * The current attempt failed without a response, in a way that counts against the upstream.
   *
   * @param committed as for {@link #answered}
   */
  public Verdict failed(AttemptFailure failure, boolean committed) {
    state.failed(endpoint, failure);
    if (committed || !state.retriable(failure)) {
      return Verdict.DELIVER;
    }
    return retryOrNot();
  }

  /** A retriable outcome: retried unless something blocks it, the back-off counted against the deadline. */
  private Verdict retryOrNot() {
    String blocker = state.blocker(attempt, replayable);
    if (blocker != null) {
      return new Verdict(Kind.DELIVER, 0,
          state.attemptsRemain(attempt) ? NotRetried.BLOCKED : NotRetried.EXHAUSTED, blocker, null);
    }
    if (!state.tryAcquireRetry()) {
      return new Verdict(Kind.DELIVER, 0, NotRetried.RETRY_OVERFLOW, state.retryOverflow(), null);
    }
    try {
      return new Verdict(Kind.RETRY, state.backoffNanos(attempt), null, null, null);
    } catch (MeshRoutingException timeout) {
      return new Verdict(Kind.FAIL, 0, null, null, timeout);
    }
  }

  /** After a retry's back-off: the endpoint the retry goes to, which {@link #startAttempt} then uses. */
  public LbEndpoint nextEndpoint() throws MeshRoutingException {
    endpoint = state.repick();
    return endpoint;
  }

  /** The call is over: gives back a {@code max_retries} slot still held (the retry's outcome never came). */
  public void close() {
    state.releaseRetry();
  }

  /** What the transport does with an attempt's outcome. */
  public enum Kind {
    /** The outcome is the call's: deliver the response, or fail with the attempt's failure. */
    DELIVER,
    /** Retry after {@link Verdict#backoffNanos()}, on {@link #nextEndpoint()}. */
    RETRY,
    /** Fail with {@link Verdict#failure()}: the back-off would outlast the call's deadline (UPSTREAM_TIMEOUT). */
    FAIL
  }

  /** Why a retriable outcome was delivered anyway. */
  public enum NotRetried {
    /** No retry left ({@code num_retries}). */
    EXHAUSTED,
    /** The body cannot be replayed, the request matches no {@code retriable_request_headers}, or the deadline passed. */
    BLOCKED,
    /** The cluster's {@code max_retries} breaker has no slot (counted as a retry overflow). */
    RETRY_OVERFLOW
  }

  /**
   * The answer to an attempt's outcome.
   *
   * @param notRetried for a delivered outcome the policy would have retried, why it was not; else {@code null}
   * @param reason the words for {@code notRetried} ("not retried: " + reason), or {@code null}
   */
  public record Verdict(Kind kind, long backoffNanos, NotRetried notRetried, String reason,
      MeshRoutingException failure) {
    static final Verdict DELIVER = new Verdict(Kind.DELIVER, 0, null, null, null);
  }
}

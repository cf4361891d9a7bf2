package io.mesh4j.runtime.okhttp;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.runtime.cluster.EndpointLease;
import io.mesh4j.runtime.engine.RoutingDecision;
import io.mesh4j.runtime.policy.AttemptFailure;
import io.mesh4j.runtime.policy.AttemptLoop;
import io.mesh4j.runtime.policy.AttemptSequencer;
import io.mesh4j.runtime.metrics.OutboundCall;
import io.mesh4j.runtime.policy.CallDeadline;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.view.ResponseView;
import io.mesh4j.runtime.policy.RoutePolicy;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.security.MeshSecurity;
import java.io.IOException;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Handshake;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The OkHttp side of one routed call: sends the {@link AttemptLoop}'s attempts through the interceptor chain (an
 * application interceptor may proceed more than once) and translates OkHttp's failures into {@link AttemptFailure}s.
 *
 * <p>Timeouts on OkHttp:
 *
 * <ul>
 *   <li>the route timeout / max stream duration: a watchdog cancels the call when it expires, whether the call is
 *       waiting for headers, backing off, or streaming the body; the caller then sees
 *       {@link Reason#UPSTREAM_TIMEOUT} (from {@code execute()} or from the body's read). As Envoy, it covers the
 *       response until it is complete, so a long streamed body must fit in it (or the route must disable it).
 *   <li>{@code per_try_timeout}: OkHttp cannot cancel one attempt without cancelling the call, so it becomes the
 *       attempt's read timeout until the response headers arrive (Envoy also stops the per-try timer once the
 *       response has started); the body then gets the route's idle timeout, else the client's read timeout, back.
 *       A server that trickles header bytes faster than that is not caught by it, only by the route timeout.
 *   <li>{@code idle_timeout} and {@code per_try_idle_timeout}: the attempt's read and write timeouts.
 *   <li>the cluster's {@code connect_timeout}: the attempt's connect timeout.
 * </ul>
 */
final class OkHttpAttempts implements AttemptLoop.Transport<Response>, CompletingBody.Completion, ResponseView {
  private final Interceptor.Chain chain;
  private final Request request;
  private final RoutingDecision decision;
  private final RoutePolicy policy;
  private final CallDeadline deadline;
  private final CallWatchdog watchdog;
  private final OkHttpRequestView view;
  private final MeshSecurity security;
  private final Duration tlsMaterialWait;
  /** The hold on the endpoint of the attempt in flight; released once when that attempt is over. */
  private AttemptLease lease;
  /** The attempt in flight, as the network interceptor sees it. */
  private RoutedAttempt current;
  /** What metrics note of this call, or null when metrics are off. */
  private final OutboundCall record;
  /** The delivered attempt's hold on its endpoint, released when the body ends; or null. */
  private AttemptLease deliveredLease;
  /** The attempt loop's end of the delivered attempt, run when the body ends. */
  private Runnable onDelivered;
  /** The response the retry policy is looking at ({@link #view}). */
  private Response answered;

  private OkHttpAttempts(Interceptor.Chain chain, Request request, OkHttpRequestView view, RoutingDecision decision,
      CallDeadline deadline, CallWatchdog watchdog, MeshSecurity security, Duration tlsMaterialWait,
      OutboundCall record) {
    this.record = record;
    this.chain = chain;
    this.request = request;
    this.view = view;
    this.decision = decision;
    this.policy = decision.route().policy();
    this.deadline = deadline;
    this.watchdog = watchdog;
    this.security = security;
    this.tlsMaterialWait = tlsMaterialWait;
    // The engine's pick is held from the start: a breaker overflow before the first send must still release it.
    this.lease = new AttemptLease(decision.lease());
  }

  static Response execute(Interceptor.Chain chain, Request request, OkHttpRequestView view, RoutingDecision decision,
      AttemptLoop loop, PolicyEnvironment env, MeshSecurity security, Duration tlsMaterialWait, OutboundCall record)
      throws IOException {
    RoutePolicy policy = decision.route().policy();
    // The mesh's timeout only: OkHttp enforces the caller's own callTimeout itself. An injected fault delay has
    // already used part of it (the engine fails the call when it used all of it).
    CallDeadline deadline = CallDeadline.of(policy, decision.listenerMaxStreamDuration(), -1,
        decision.faultDelayNanos(), env.nanoClock().getAsLong());
    CallWatchdog watchdog =
        deadline.exists() ? CallWatchdog.arm(chain.call(), env.scheduler(), deadline.remainingNanos()) : null;
    OkHttpAttempts attempts =
        new OkHttpAttempts(chain, request, view, decision, deadline, watchdog, security, tlsMaterialWait, record);
    boolean replayable = request.body() == null || !request.body().isOneShot();
    try {
      return loop.execute(
          decision.cluster(), decision.endpoint(), policy, view, replayable, deadline.nanoTime(), attempts);
    } catch (IOException | RuntimeException e) {
      attempts.releaseLease();
      if (watchdog != null) {
        watchdog.disarm();
        if (watchdog.fired() && !(e instanceof MeshRoutingException)) {
          throw attempts.callTimedOut(e);
        }
      }
      throw e;
    }
  }

  @Override
  public Response send(LbEndpoint endpoint, int attempt) throws IOException {
    current = new RoutedAttempt();
    Request routed = AttemptShaping.request(request, view, decision, endpoint, attempt, current);
    if (record != null) {
      if (record.traced()) {
        // The attempt's span writes its trace context into this attempt's headers, retries included.
        Request.Builder traced = routed.newBuilder();
        record.attempt(endpoint, attempt, traced::header);
        routed = traced.build();
      } else {
        record.attempt(endpoint, attempt);
      }
    }
    if (attempt > 1) {
      EndpointLease held = decision.cluster().lease(endpoint);
      lease = held == null ? null : new AttemptLease(held);
    }
    // Each with* copies the chain: only for a timeout that differs from the client's.
    Interceptor.Chain attemptChain = chain;
    int connectMillis = millis(decision.cluster().cluster().connectTimeout().toNanos());
    if (connectMillis != chain.connectTimeoutMillis()) {
      attemptChain = attemptChain.withConnectTimeout(connectMillis, TimeUnit.MILLISECONDS);
    }
    long idle = policy.attemptIdleTimeoutNanos();
    long untilHeaders = minPositive(policy.perTryTimeoutNanos(), idle);
    if (idle > 0 && millis(idle) != chain.writeTimeoutMillis()) {
      attemptChain = attemptChain.withWriteTimeout(millis(idle), TimeUnit.MILLISECONDS);
    }
    if (untilHeaders > 0 && millis(untilHeaders) != chain.readTimeoutMillis()) {
      attemptChain = attemptChain.withReadTimeout(millis(untilHeaders), TimeUnit.MILLISECONDS);
    }
    Response response;
    try {
      response = decision.cluster().cluster().tls() != null
          ? UpstreamTlsCall.proceed(attemptChain, routed, decision.cluster(), endpoint, security, tlsMaterialWait)
          : attemptChain.proceed(routed);
    } catch (IOException e) {
      if (record != null) {
        record.attemptFailed(classify(e));
      }
      if (lease != null && OkHttpFailures.leavesRotation(e, current.isConnected(), chain.call().isCanceled())) {
        lease.held.connectFailed();
      }
      releaseLease();
      if (watchdog != null && watchdog.fired()) {
        throw callTimedOut(e);
      }
      throw e;
    } catch (RuntimeException | Error e) {
      releaseLease();
      throw e;
    }
    if (untilHeaders > 0 && untilHeaders != idle) {
      // The per-try timeout ends with the headers: the body waits as long as the route (or the client) allows.
      long bodyTimeout = idle > 0 ? idle : TimeUnit.MILLISECONDS.toNanos(chain.readTimeoutMillis());
      response.body().source().timeout().timeout(bodyTimeout, TimeUnit.NANOSECONDS);
    }
    return response;
  }

  private void releaseLease() {
    AttemptLease held = lease;
    lease = null;
    if (held != null) {
      held.run();
    }
  }

  /**
   * Releases the endpoint lease of one attempt exactly once, whichever of body end, close or failure comes first.
   * Is its own released flag (one object a request, not two).
   */
  private static final class AttemptLease extends AtomicBoolean implements Runnable {
    final EndpointLease held;

    AttemptLease(EndpointLease held) {
      this.held = held;
    }

    @Override
    public void run() {
      if (compareAndSet(false, true)) {
        held.release();
      }
    }
  }

  /** The view of the attempt's response: this object, over the response last answered (one attempt at a time). */
  @Override
  public ResponseView view(Response response) {
    answered = response;
    return this;
  }

  @Override
  public int status() {
    return answered.code();
  }

  @Override
  public String header(String lowerCaseName) {
    return OkHttpRequestView.joined(answered.headers(), lowerCaseName);
  }

  @Override
  public AttemptFailure classify(IOException failure) {
    return OkHttpFailures.classify(failure, current != null && current.isConnected(), chain.call().isCanceled());
  }

  @Override
  public void notRetried(AttemptSequencer.NotRetried why) {
    if (record != null && why == AttemptSequencer.NotRetried.EXHAUSTED) {
      record.retryLimitReached();
    } else if (record != null && why == AttemptSequencer.NotRetried.RETRY_OVERFLOW) {
      record.retryOverflowed();
    }
  }

  @Override
  public void discard(Response response) {
    if (record != null) {
      record.attemptAnswered(response.code());
    }
    response.close();
    releaseLease();
  }

  @Override
  public Response deliver(Response response, Runnable onComplete) {
    deliveredLease = lease;
    lease = null;
    onDelivered = onComplete;
    if (record != null) {
      Handshake handshake = response.handshake();
      if (handshake != null) {
        record.tls(first(handshake.peerCertificates()), first(handshake.localCertificates()));
      }
    }
    Response.Builder out = AttemptShaping.response(response, request, decision);
    // The endpoint, the circuit-breaker slot and the watchdog stay held until the body is consumed or closed.
    return out.body(new CompletingBody(response.body(), this, record, response.code())).build();
  }

  private static Certificate first(List<Certificate> certificates) {
    return certificates.isEmpty() ? null : certificates.get(0);
  }

  @Override
  public void bodyEnded() {
    if (watchdog != null) {
      watchdog.disarm();
    }
    if (deliveredLease != null) {
      deliveredLease.run();
    }
    onDelivered.run();
  }

  @Override
  public IOException timedOut(IOException failure) {
    return watchdog != null && watchdog.fired() ? callTimedOut(failure) : null;
  }

  @Override
  public boolean callCancelled() {
    return chain.call().isCanceled();
  }

  private MeshRoutingException callTimedOut(Throwable cause) {
    MeshRoutingException timeout = deadline.meshTimeout(decision.cluster().name());
    timeout.initCause(cause);
    return timeout;
  }

  private static int millis(long nanos) {
    // OkHttp takes int milliseconds, where 0 means "no timeout": round up so that a tiny timeout stays a timeout.
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999)));
  }

  private static long minPositive(long a, long b) {
    if (a <= 0) {
      return Math.max(b, 0);
    }
    return b <= 0 ? a : Math.min(a, b);
  }
}

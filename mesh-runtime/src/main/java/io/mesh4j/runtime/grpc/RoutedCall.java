package io.mesh4j.runtime.grpc;

import io.mesh4j.runtime.security.UpstreamTls;
import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.cluster.EndpointLease;
import io.mesh4j.runtime.engine.RoutingDecision;
import io.mesh4j.runtime.metrics.OutboundCall;
import io.mesh4j.runtime.policy.AttemptFailure;
import io.mesh4j.runtime.policy.AttemptSequencer;
import io.mesh4j.runtime.policy.CallDeadline;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.policy.ReplayBuffer;
import io.mesh4j.runtime.policy.RoutePolicy;
import io.mesh4j.runtime.policy.Scheduler;
import io.mesh4j.runtime.view.RequestView;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.route.HeaderMutations;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A routed gRPC call run as one or more attempts with the router's semantics: it drives the
 * {@link AttemptSequencer} (the sequence OkHttp's blocking {@link io.mesh4j.runtime.policy.AttemptLoop} drives too)
 * from gRPC events and timers. Every decision (circuit-breaker slots, outlier reports, retry classification,
 * back-off, re-pick) is the sequencer's; this class only maps gRPC events onto it and its answers onto gRPC.
 *
 * <ul>
 *   <li>Deadline: the earliest of the mesh's timeout and the call's own deadline ({@link CallDeadline}) ends the
 *       call with {@code DEADLINE_EXCEEDED}, as Envoy's 504 reads to a gRPC client.
 *   <li>Retries: only while nothing of the response reached the application (no headers, no message) and every
 *       request message sent so far is in its {@link ReplayBuffer}; past 1 MiB the call commits to its attempt.
 *       A retry carries {@code grpc-previous-rpc-attempts}, as gRPC's own retries do, and starts after the
 *       back-off on the environment's scheduler (no thread sleeps).
 *   <li>Per-try timeout: cancels an attempt whose response has not started, which then counts as a timeout.
 *   <li>Idle timeout ({@code idle_timeout}, {@code per_try_idle_timeout}, the shorter): cancels an attempt with no
 *       message, headers or half-close either way for that long; it counts as a timeout too.
 *   <li>Header mutations of the route, virtual host and table: request ones on every attempt's metadata, response
 *       ones on the response headers (on the trailers of a trailers-only response), never on transport headers.
 * </ul>
 *
 * <p>Threads: the application calls the {@link ClientCall} methods; attempt callbacks, timers and back-off run on a
 * {@link SerialExecutor} over the call's executor. Both touch the state under {@link #lock}; the application's
 * listener is only called from the serial executor, outside the lock.
 */
final class RoutedCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {
  /** The cluster's TLS context, or null for plaintext. */
  private final UpstreamTls tls;
  /** The endpoint of the latest attempt, named when a TLS handshake with it failed. */
  private volatile LbEndpoint lastEndpoint;

  static final Metadata.Key<String> PREVIOUS_ATTEMPTS =
      Metadata.Key.of("grpc-previous-rpc-attempts", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> ATTEMPT_COUNT =
      Metadata.Key.of("x-envoy-attempt-count", Metadata.ASCII_STRING_MARSHALLER);

  private enum Ending { NONE, PER_TRY_TIMEOUT, IDLE_TIMEOUT, CALL_TIMEOUT, CANCELLED }

  private final MeshChannel channel;
  private final MethodDescriptor<ReqT, RespT> method;
  private final CallOptions attemptOptions;
  private final RoutingDecision decision;
  private final PolicyEnvironment env;
  private final SerialExecutor serial;
  private final RoutePolicy policy;
  private final RequestView request;
  private final Object lock = new Object();
  /** What metrics note of this call, or null when they are off. */
  private final OutboundCall record;

  // Guarded by lock.
  private Listener<RespT> listener;
  private Metadata headers;
  private AttemptSequencer sequence;
  private CallDeadline deadline;
  private Scheduler.Cancellable deadlineTimer;
  private Scheduler.Cancellable backoffTimer;
  private Attempt current;
  private final ReplayBuffer<ReqT> buffer = new ReplayBuffer<>(ReplayBuffer.DEFAULT_LIMIT);
  private boolean retriesAllowed;
  private boolean responseStarted;
  /** Whether the application got response headers; if not, response header mutations go to the trailers. */
  private boolean headersDelivered;
  private boolean halfClosed;
  private int requested;
  private Boolean compression;
  private boolean closed;

  /** One attempt: its call, endpoint, lease and per-try timer; it is that timer's task, so arming it allocates less. */
  private final class Attempt implements Runnable {
    final int number;
    final LbEndpoint endpoint;
    final EndpointLease lease;
    ClientCall<ReqT, RespT> call;
    Scheduler.Cancellable perTryTimer;
    Scheduler.Cancellable idleTimer;
    /** When bytes last moved either way on this attempt (policy clock), for the idle timeout. */
    long lastActivity;
    Ending ending = Ending.NONE;

    Attempt(int number, LbEndpoint endpoint, EndpointLease lease) {
      this.number = number;
      this.endpoint = endpoint;
      this.lease = lease;
    }

    /** The per-try timer fired (on the timer thread). */
    @Override
    public void run() {
      serial.execute(() -> perTryExpired(this));
    }
  }

  RoutedCall(MeshChannel channel, MethodDescriptor<ReqT, RespT> method, CallOptions options, RoutingDecision decision,
      RequestView request, UpstreamTls tls, PolicyEnvironment env, java.util.concurrent.Executor callbackExecutor,
      OutboundCall record) {
    this.record = record;
    this.tls = tls;
    this.channel = channel;
    this.method = method;
    this.decision = decision;
    this.request = request;
    this.env = env;
    this.serial = new SerialExecutor(callbackExecutor);
    this.deadlineTimerTask = () -> serial.execute(this::deadlineExpired);
    this.attemptOptions = options.withExecutor(serial);
    this.policy = decision.route().policy();
  }

  @Override
  public void start(Listener<RespT> listener, Metadata headers) {
    ClusterRuntime cluster = decision.cluster();
    synchronized (lock) {
      this.listener = listener;
      this.headers = headers;
      Deadline callDeadline = earliest(attemptOptions.getDeadline(), Context.current().getDeadline());
      long ownTimeout = callDeadline == null ? -1 : Math.max(0, callDeadline.timeRemaining(TimeUnit.NANOSECONDS));
      deadline = CallDeadline.of(policy, decision.listenerMaxStreamDuration(), ownTimeout, decision.faultDelayNanos(),
          env.nanoClock().getAsLong());
      sequence = new AttemptSequencer(env, cluster, decision.endpoint(), policy, request, true,
          deadline.nanoTime());
      retriesAllowed = sequence.retriesPossible();
      if (!perTryTimerDueFirst()) {
        armDeadlineTimer();
      }
      startAttempt();
    }
  }

  /** Whether an attempt started now gets a per-try timer, due before the call's deadline. */
  private boolean perTryTimerDueFirst() {
    long perTry = policy.perTryTimeoutNanos();
    return perTry > 0 && (!deadline.exists() || perTry < deadline.nanoTime() - env.nanoClock().getAsLong());
  }

  /**
   * Arms the call's deadline timer unless it is armed (holding the lock). One timer a call suffices while an attempt's
   * per-try timer is due first: the deadline timer is only armed once that one fires, or when the attempt ends
   * without closing the call (a retry follows), so a call answered within its per-try timeout arms one timer.
   */
  private void armDeadlineTimer() {
    if (deadlineTimer == null && deadline.exists() && !closed) {
      long remaining = deadline.nanoTime() - env.nanoClock().getAsLong();
      deadlineTimer = env.scheduler().schedule(deadlineTimerTask, Math.max(0, remaining));
    }
  }

  /** The deadline timer's task, one per call rather than a lambda per arming. */
  private final Runnable deadlineTimerTask;

  /** Starts the next attempt, on the sequence's endpoint (holding the lock). */
  private void startAttempt() {
    MeshRoutingException overflow = sequence.startAttempt();
    int number = sequence.attempt();
    LbEndpoint endpoint = sequence.endpoint();
    if (overflow != null) {
      if (number == 1) {
        decision.lease().release();
      }
      finish(GrpcStatuses.fromRouting(overflow), new Metadata());
      return;
    }
    EndpointLease lease = number == 1 ? decision.lease() : decision.cluster().lease(endpoint);
    Attempt attempt = new Attempt(number, endpoint, lease);
    current = attempt;
    lastEndpoint = endpoint;
    Metadata attemptHeaders = new Metadata();
    attemptHeaders.merge(headers);
    HeaderMutations mutations = decision.route().shaping().requestHeaders();
    if (!mutations.isEmpty()) {
      mutations.apply(new GrpcMetadataEditor(attemptHeaders));
    }
    if (number > 1) {
      attemptHeaders.put(PREVIOUS_ATTEMPTS, Integer.toString(number - 1));
    }
    if (policy.includeAttemptCount()) {
      attemptHeaders.discardAll(ATTEMPT_COUNT);
      attemptHeaders.put(ATTEMPT_COUNT, Integer.toString(number));
    }
    if (record != null) {
      // A traced attempt's span writes its trace context into this attempt's metadata, retries included.
      record.attempt(endpoint, number, record.traced() ? (name, value) -> {
        Metadata.Key<String> key = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
        attemptHeaders.discardAll(key);
        attemptHeaders.put(key, value);
      } : null);
    }
    ClientCall<ReqT, RespT> call = channel.endpointCall(endpoint, tls, method, attemptOptions);
    attempt.call = call;
    call.start(new AttemptListener(attempt), attemptHeaders);
    if (compression != null) {
      call.setMessageCompression(compression);
    }
    for (ReqT message : buffer.messages()) {
      call.sendMessage(message);
    }
    if (!retriesAllowed) {
      buffer.clear();
    }
    if (halfClosed) {
      call.halfClose();
    }
    if (requested > 0) {
      call.request(requested);
    }
    // A per-try timeout due at or after the call's deadline cannot fire first: the deadline timer covers the attempt.
    if (!closed && perTryTimerDueFirst()) {
      attempt.perTryTimer = env.scheduler().schedule(attempt, policy.perTryTimeoutNanos());
    } else {
      armDeadlineTimer();
    }
    long idle = policy.attemptIdleTimeoutNanos();
    if (idle > 0) {
      attempt.lastActivity = env.nanoClock().getAsLong();
      scheduleIdleCheck(attempt, idle);
    }
  }

  /** Bytes moved on the attempt (a message either way, response headers, the half-close): the idle clock restarts. */
  private void activeLocked(Attempt attempt) {
    if (attempt.idleTimer != null) {
      attempt.lastActivity = env.nanoClock().getAsLong();
    }
  }

  private void scheduleIdleCheck(Attempt attempt, long delay) {
    attempt.idleTimer = env.scheduler().schedule(() -> serial.execute(() -> idleCheck(attempt)), delay);
  }

  /**
   * Envoy's {@code idle_timeout} and {@code per_try_idle_timeout}: an attempt with no activity for that long is
   * reset and counts as a timeout (504 UT). One timer per attempt, moved on lazily rather than per message.
   */
  private void idleCheck(Attempt attempt) {
    synchronized (lock) {
      if (attempt != current || closed || attempt.ending != Ending.NONE) {
        return;
      }
      long idle = policy.attemptIdleTimeoutNanos();
      long quiet = env.nanoClock().getAsLong() - attempt.lastActivity;
      if (quiet < idle) {
        scheduleIdleCheck(attempt, idle - quiet);
        return;
      }
      attempt.ending = Ending.IDLE_TIMEOUT;
      attempt.call.cancel("idle timeout", null);
    }
  }

  private final class AttemptListener extends Listener<RespT> {
    private final Attempt attempt;

    AttemptListener(Attempt attempt) {
      this.attempt = attempt;
    }

    @Override
    public void onHeaders(Metadata responseHeaders) {
      Listener<RespT> app;
      synchronized (lock) {
        if (attempt != current || closed) {
          return;
        }
        responseStartedLocked();
        activeLocked(attempt);
        headersDelivered = true;
        app = listener;
        if (record != null && tls != null) {
          MeteredListener.notePeer(record, attempt.call);
        }
      }
      HeaderMutations mutations = decision.route().shaping().responseHeaders();
      if (!mutations.isEmpty()) {
        mutations.apply(new GrpcMetadataEditor(responseHeaders));
      }
      app.onHeaders(responseHeaders);
    }

    @Override
    public void onMessage(RespT message) {
      Listener<RespT> app;
      synchronized (lock) {
        if (attempt != current || closed) {
          return;
        }
        responseStartedLocked();
        activeLocked(attempt);
        app = listener;
      }
      app.onMessage(message);
    }

    @Override
    public void onReady() {
      Listener<RespT> app;
      synchronized (lock) {
        if (attempt != current || closed) {
          return;
        }
        app = listener;
      }
      app.onReady();
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      attemptClosed(attempt, status, trailers);
    }
  }

  /** The response has started: the application has seen part of it, so this attempt is the call's. */
  private void responseStartedLocked() {
    if (!responseStarted) {
      responseStarted = true;
      commitLocked();
    }
  }

  private void commitLocked() {
    retriesAllowed = false;
    if (current != null) {
      buffer.clear();
    }
  }

  /** One attempt ended: account for it, then retry or close the call (on the serial executor). */
  private void attemptClosed(Attempt attempt, Status status, Metadata trailers) {
    Status closeWith;
    Metadata closeTrailers = trailers;
    synchronized (lock) {
      if (attempt.perTryTimer != null) {
        attempt.perTryTimer.cancel();
      }
      if (attempt.idleTimer != null) {
        attempt.idleTimer.cancel();
      }
      AttemptFailure failure = GrpcOutcome.transportFailure(status);
      if (attempt.lease != null) {
        if (failure == AttemptFailure.CONNECT_FAILURE) {
          attempt.lease.connectFailed();
        }
        attempt.lease.release();
      }
      sequence.attemptEnded();
      if (current == attempt) {
        current = null;
      }
      if (closed) {
        return;
      }
      switch (attempt.ending) {
        case CALL_TIMEOUT:
          if (deadline.isMeshTimeout()) {
            sequence.cutShortByRouteTimeout();
          }
          finish(deadlineStatus(), new Metadata());
          return;
        case CANCELLED:
          finish(status, trailers);
          return;
        case PER_TRY_TIMEOUT:
        case IDLE_TIMEOUT:
          failure = AttemptFailure.TIMEOUT;
          break;
        default:
          if (status.getCode() == Status.Code.DEADLINE_EXCEEDED && failure == null && ownDeadlineExpired()) {
            // The caller's own deadline, enforced by grpc on the attempt: not the upstream's doing.
            finish(status, trailers);
            return;
          }
      }
      // Once the application saw part of the response, or a message could not be kept, the attempt is the call's.
      boolean committed = !retriesAllowed || responseStarted;
      AttemptSequencer.Verdict verdict;
      if (record != null) {
        record.attemptFailed(failure);
      }
      if (failure != null) {
        verdict = sequence.failed(failure, committed);
        closeWith = failure != AttemptFailure.TIMEOUT ? status
            : Status.DEADLINE_EXCEEDED.withDescription(attempt.ending == Ending.IDLE_TIMEOUT
                ? idleTimeoutMessage(attempt) : perTryTimeoutMessage(attempt));
      } else {
        if (record != null) {
          record.attemptAnswered(status.getCode().value());
        }
        verdict = sequence.answered(GrpcOutcome.response(status), GrpcOutcome.httpStatus(status.getCode()),
            committed || status.getCode() == Status.Code.OK);
        closeWith = status;
      }
      if (record != null && verdict.notRetried() == AttemptSequencer.NotRetried.EXHAUSTED) {
        record.retryLimitReached();
      } else if (record != null && verdict.notRetried() == AttemptSequencer.NotRetried.RETRY_OVERFLOW) {
        record.retryOverflowed();
      }
      if (verdict.kind() == AttemptSequencer.Kind.DELIVER) {
        finish(verdict.notRetried() == null ? closeWith : withNote(closeWith, "not retried: " + verdict.reason()),
            closeTrailers);
        return;
      }
      if (verdict.kind() == AttemptSequencer.Kind.FAIL) {
        MeshRoutingException e = verdict.failure();
        finish(Status.DEADLINE_EXCEEDED.withDescription(e.getMessage()).withCause(e), new Metadata());
        return;
      }
      armDeadlineTimer(); // the attempt's per-try timer no longer stands in for it
      long delay = verdict.backoffNanos();
      Runnable retry = () -> serial.execute(this::retry);
      if (delay > 0) {
        backoffTimer = env.scheduler().schedule(retry, delay);
      } else {
        serial.execute(this::retry);
      }
    }
  }

  private void retry() {
    synchronized (lock) {
      backoffTimer = null;
      if (closed) {
        return;
      }
      try {
        sequence.nextEndpoint();
      } catch (MeshRoutingException e) {
        finish(GrpcStatuses.fromRouting(e), new Metadata());
        return;
      }
      startAttempt();
    }
  }

  private void perTryExpired(Attempt attempt) {
    synchronized (lock) {
      armDeadlineTimer(); // the call goes on past this timer, whatever happens to the attempt
      // Envoy ignores the per-try timeout once the response has started downstream.
      if (attempt != current || closed || responseStarted || attempt.ending != Ending.NONE) {
        return;
      }
      attempt.ending = Ending.PER_TRY_TIMEOUT;
      attempt.call.cancel("per-try timeout", null);
    }
  }

  private void deadlineExpired() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      Attempt attempt = current;
      if (attempt == null) {
        finish(deadlineStatus(), new Metadata()); // expired during the back-off
        return;
      }
      attempt.ending = Ending.CALL_TIMEOUT;
      attempt.call.cancel(deadlineStatus().getDescription(), null);
    }
  }

  private Status deadlineStatus() {
    if (!deadline.isMeshTimeout()) {
      return Status.DEADLINE_EXCEEDED.withDescription("the call's deadline expired");
    }
    MeshRoutingException timeout = deadline.meshTimeout(decision.cluster().name());
    return Status.DEADLINE_EXCEEDED.withDescription(timeout.getMessage()).withCause(timeout);
  }

  private String perTryTimeoutMessage(Attempt attempt) {
    return new MeshRoutingException(Reason.UPSTREAM_TIMEOUT, "cluster '" + decision.cluster().name() + "': "
        + attempt.endpoint.hostPort() + " did not answer within the per-try timeout of "
        + Duration.ofNanos(policy.perTryTimeoutNanos())).getMessage();
  }

  private String idleTimeoutMessage(Attempt attempt) {
    return new MeshRoutingException(Reason.UPSTREAM_TIMEOUT, "cluster '" + decision.cluster().name() + "': "
        + attempt.endpoint.hostPort() + " was idle for the idle timeout of "
        + Duration.ofNanos(policy.attemptIdleTimeoutNanos())).getMessage();
  }

  private boolean ownDeadlineExpired() {
    return deadline.callersPassed(env.nanoClock().getAsLong())
        || attemptOptions.getDeadline() != null && attemptOptions.getDeadline().isExpired();
  }

  /** Closes the call once (holding the lock); the listener hears it on the serial executor. */
  private void finish(Status status, Metadata trailers) {
    if (closed) {
      return;
    }
    closed = true;
    if (deadlineTimer != null) {
      deadlineTimer.cancel();
    }
    if (backoffTimer != null) {
      backoffTimer.cancel();
    }
    buffer.clear();
    sequence.close();
    decision.complete();
    if (!headersDelivered) {
      // Trailers-only (or a reply of the mesh's own): they are the response headers, as in Envoy.
      HeaderMutations mutations = decision.route().shaping().responseHeaders();
      if (!mutations.isEmpty()) {
        mutations.apply(new GrpcMetadataEditor(trailers));
      }
    }
    Listener<RespT> app = listener;
    // Over TLS, a handshake failure closes naming the failed check, where gRPC alone would say "io exception".
    LbEndpoint endpoint = lastEndpoint;
    Status delivered = tls != null && endpoint != null ? GrpcUpstreamTls.describe(status, endpoint.hostPort()) : status;
    serial.execute(() -> app.onClose(delivered, trailers));
  }

  private static Status withNote(Status status, String note) {
    return status.augmentDescription(note);
  }

  private static Deadline earliest(Deadline a, Deadline b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : a.minimum(b);
  }

  @Override
  public void request(int numMessages) {
    synchronized (lock) {
      requested += numMessages;
      if (current != null) {
        current.call.request(numMessages);
      }
    }
  }

  @Override
  public void cancel(String message, Throwable cause) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      Attempt attempt = current;
      if (attempt == null) {
        finish(Status.CANCELLED.withDescription(message).withCause(cause), new Metadata());
        return;
      }
      attempt.ending = Ending.CANCELLED;
      attempt.call.cancel(message, cause);
    }
  }

  @Override
  public void halfClose() {
    synchronized (lock) {
      halfClosed = true;
      if (current != null) {
        activeLocked(current);
        current.call.halfClose();
      }
    }
  }

  @Override
  public void sendMessage(ReqT message) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (retriesAllowed && !buffer.retain(message, sizeOf(message))) {
        commitLocked(); // too much to replay: this attempt is the call's
      }
      if (current != null) {
        activeLocked(current);
        current.call.sendMessage(message);
      } else if (!retriesAllowed) {
        // Committed during a back-off: the next attempt still needs every message sent so far.
        buffer.hold(message);
      }
    }
  }

  private long sizeOf(ReqT message) {
    try (InputStream stream = method.streamRequest(message)) {
      // Protobuf and byte-array streams know their length; an unknown one counts as a small message.
      return Math.max(1, stream.available());
    } catch (java.io.IOException e) {
      return 1;
    }
  }

  @Override
  public boolean isReady() {
    synchronized (lock) {
      return current != null && current.call.isReady();
    }
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    synchronized (lock) {
      compression = enabled;
      if (current != null) {
        current.call.setMessageCompression(enabled);
      }
    }
  }

  @Override
  public Attributes getAttributes() {
    synchronized (lock) {
      return current != null ? current.call.getAttributes() : Attributes.EMPTY;
    }
  }
}

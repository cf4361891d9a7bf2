package io.mesh4j.runtime.grpc;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshTlsHandshakeException;
import io.mesh4j.runtime.engine.FaultDelay;
import io.mesh4j.runtime.engine.RouteStep;
import io.mesh4j.runtime.engine.RoutingDecision;
import io.mesh4j.runtime.metrics.OutboundCall;
import io.mesh4j.runtime.metrics.OutboundMetrics;
import io.mesh4j.runtime.metrics.RequestLabels;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.policy.Scheduler;
import io.mesh4j.runtime.security.UpstreamTls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One gRPC call through the mesh. Routing needs the call's metadata, which only {@link #start} has, so the endpoint
 * is chosen there: the engine routes {@code /package.Service/Method} plus metadata exactly as it routes an HTTP
 * path plus headers, and the call continues as a {@link RoutedCall} (attempts on endpoint channels, with the
 * route's timeouts and retries and the cluster's circuit breakers). When the mesh cannot route, the call
 * closes with {@code UNAVAILABLE} naming the reason, delivered on the call's executor as gRPC does.
 *
 * <p>{@link #start} never blocks. When routing has to wait (the control plane's first answer for the target, an
 * injected fault delay, the cluster's TLS material) the call is queued, as grpc-java's {@code DelayedClientCall}
 * queues it: {@code request}, {@code sendMessage}, {@code halfClose} and compression are buffered in order and
 * replayed on the real call once it exists. Every wait is a timer or a future's callback, never a thread; it ends
 * at whichever comes first of what it waits for, its own bound (the listener wait, the material wait, the route
 * timeout for a fault delay), the call's deadline ({@code DEADLINE_EXCEEDED}) or a cancel ({@code CANCELLED}).
 *
 * <p>By the {@link ClientCall} contract the application calls these methods serially; timers and futures continue
 * routing on the call's executor. Both meet under {@link #lock}; the listener is never called under it.
 */
final class MeshClientCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {
  private final MeshChannel channel;
  private final MethodDescriptor<ReqT, RespT> method;
  private final CallOptions callOptions;
  private final Executor callbackExecutor;
  private final PolicyEnvironment env;
  private final Object lock = new Object();

  /** Set once the real call has replayed every buffered operation: later ones go straight to it. */
  private volatile boolean passThrough;
  private volatile ClientCall<ReqT, RespT> delegate;

  // Guarded by lock.
  private boolean started;
  private Listener<RespT> listener;
  private Metadata headers;
  private Context context;
  private GrpcRequestView view;
  private List<Consumer<ClientCall<ReqT, RespT>>> pending;
  private Wait waiting;
  private Scheduler.Cancellable deadlineTimer;
  /** While queued: the caller's context being cancelled cancels the call, as it does a started one. */
  private Context.CancellationListener contextListener;
  private Status cancelled;
  private boolean closed;
  /** What metrics note of this call, or null when they are off. */
  private OutboundCall record;

  /** What the queued call waits for, and what it holds meanwhile (given back if the call ends first). */
  private static final class Wait {
    final String what;
    final Runnable abandon;
    Scheduler.Cancellable timer;

    Wait(String what, Runnable abandon) {
      this.what = what;
      this.abandon = abandon;
    }
  }

  MeshClientCall(MeshChannel channel, MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Executor fallback) {
    this.channel = channel;
    this.method = method;
    this.callOptions = callOptions;
    this.callbackExecutor = callOptions.getExecutor() != null ? callOptions.getExecutor() : fallback;
    this.env = channel.environment();
  }

  @Override
  public void start(Listener<RespT> listener, Metadata headers) {
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException("already started");
      }
      started = true;
      this.headers = headers;
      this.context = Context.current();
      this.view = channel.requestView(method.getFullMethodName(), callOptions, headers);
      OutboundMetrics metrics = channel.metrics();
      if (metrics != null) {
        record = metrics.start(RequestLabels.GRPC, view);
        listener = new MeteredListener<>(listener, record, method);
      }
      this.listener = listener;
      if (cancelled != null) {
        closeLocked(cancelled);
        return;
      }
    }
    route();
  }

  /** Routes the call from the top: on {@link #start}, and again once the target's first config arrived. */
  private void route() {
    RouteStep step;
    try {
      step = channel.route(view);
    } catch (MeshRoutingException e) {
      fail(GrpcStatuses.fromRouting(e));
      return;
    }
    if (step instanceof RoutingDecision decision) {
      decided(decision);
    } else if (step instanceof FaultDelay delay) {
      waitOutFaultDelay(delay);
    } else if (step instanceof RouteStep.AwaitConfig await) {
      await("the mesh configuration of " + await.target(), await.configured(), await.waitNanos(), null,
          this::route, () -> fail(GrpcStatuses.fromRouting(await.timedOut())));
    } else {
      if (record != null) {
        record.notRouted();
      }
      begin(channel.directCall(method, callOptions), null);
    }
  }

  /** An injected delay is a timer: it ends at the delay, the route timeout, the call's deadline or a cancel. */
  private void waitOutFaultDelay(FaultDelay delay) {
    await("an injected fault delay of " + Duration.ofNanos(delay.delayNanos()), null, delay.waitNanos(),
        delay::abandon, null, () -> {
          if (delay.reachesRouteTimeout()) {
            fail(GrpcStatuses.fromRouting(delay.routeTimedOut()));
            return;
          }
          RoutingDecision decision;
          try {
            decision = delay.resume();
          } catch (MeshRoutingException e) {
            fail(GrpcStatuses.fromRouting(e));
            return;
          }
          decided(decision);
        });
  }

  private void decided(RoutingDecision decision) {
    if (record != null) {
      record.routed(decision.cluster() == null ? null : decision.cluster().name(), decision.faultDelayNanos());
    }
    if (decision.localReply() != null) {
      decision.complete();
      if (record != null) {
        Status status = GrpcStatuses.fromLocalReply(decision.localReply());
        record.localReply(decision.localReply().status(), decision.localReply().responseFlag(),
            status.getCode().value());
      }
      fail(GrpcStatuses.fromLocalReply(decision.localReply()));
      return;
    }
    UpstreamTls tls;
    try {
      tls = channel.upstreamTls(decision);
    } catch (MeshTlsHandshakeException e) {
      release(decision);
      fail(GrpcStatuses.fromRouting(e));
      return;
    }
    if (tls == null || tls.whenReady().isDone()) {
      forward(decision, tls);
      return;
    }
    // Ready or not when the wait ends, forward() checks the material again and names what is missing.
    Runnable then = () -> forward(decision, tls);
    await("the TLS material of cluster '" + decision.cluster().name() + "'", tls.whenReady(),
        channel.materialWait().toNanos(), () -> release(decision), then, then);
  }

  private void forward(RoutingDecision decision, UpstreamTls tls) {
    if (tls != null) {
      try {
        GrpcUpstreamTls.checkMaterial(tls, decision.cluster(), decision.endpoint());
      } catch (MeshTlsHandshakeException e) {
        release(decision);
        fail(GrpcStatuses.fromRouting(e));
        return;
      }
    }
    begin(new RoutedCall<>(channel, method, callOptions, decision, view, tls, env, callbackExecutor, record),
        () -> release(decision));
  }

  /** The call will not start: give back what routing took. */
  private static void release(RoutingDecision decision) {
    decision.lease().release();
    decision.complete();
  }

  /**
   * Queues the call until {@code ready} completes (then {@code onReady}) or {@code boundNanos} pass (then
   * {@code onTimeout}), whichever is first; {@code ready} null waits for the bound alone. Both continue on the
   * call's executor, never on the thread that completed the future or ran the timer. If the call ends first,
   * {@code abandon} gives back what it holds.
   */
  private void await(String what, CompletableFuture<?> ready, long boundNanos, Runnable abandon, Runnable onReady,
      Runnable onTimeout) {
    Wait wait = new Wait(what, abandon);
    synchronized (lock) {
      if (closed) {
        if (abandon != null) {
          abandon.run();
        }
        return;
      }
      if (cancelled != null) {
        waiting = wait; // closeLocked gives back what the wait holds
        closeLocked(cancelled);
        return;
      }
      waiting = wait;
      if (!armDeadlineLocked() || closed) {
        return; // the deadline had passed, or the context was cancelled just now
      }
      wait.timer = env.scheduler().schedule(() -> callbackExecutor.execute(() -> {
        if (claim(wait)) {
          onTimeout.run();
        }
      }), Math.max(0, boundNanos));
    }
    if (ready != null) {
      ready.whenComplete((value, error) -> callbackExecutor.execute(() -> {
        if (claim(wait)) {
          onReady.run();
        }
      }));
    }
  }

  /** Ends {@code wait} for whoever comes first (its future, its timer); false when it already ended. */
  private boolean claim(Wait wait) {
    synchronized (lock) {
      if (waiting != wait || closed) {
        return false;
      }
      waiting = null;
      if (wait.timer != null) {
        wait.timer.cancel();
      }
      return true;
    }
  }

  /**
   * The call's own deadline (its options' or its context's, the earliest) bounds every wait: one timer, armed at
   * the first wait, with a listener for the context's cancellation. Returns false when it has already passed (the
   * call is then closed).
   */
  private boolean armDeadlineLocked() {
    if (deadlineTimer != null || contextListener != null) {
      return true;
    }
    if (context.isCancelled()) {
      closeLocked(Status.CANCELLED.withDescription("the call's context was cancelled")
          .withCause(context.cancellationCause()));
      return false;
    }
    if (context != Context.ROOT) {
      contextListener = cancelled -> cancel("the call's context was cancelled", cancelled.cancellationCause());
      context.addListener(contextListener, Runnable::run);
    }
    Deadline deadline = earliest(callOptions.getDeadline(), context.getDeadline());
    if (deadline == null) {
      return true;
    }
    long remaining = deadline.timeRemaining(TimeUnit.NANOSECONDS);
    if (remaining <= 0) {
      closeLocked(deadlineExceeded());
      return false;
    }
    deadlineTimer = env.scheduler().schedule(() -> callbackExecutor.execute(this::deadlineExpired), remaining);
    return true;
  }

  private void deadlineExpired() {
    synchronized (lock) {
      // Only a queued call: routing that is running right now starts a call that keeps the deadline itself.
      if (!closed && waiting != null) {
        closeLocked(deadlineExceeded());
      }
    }
  }

  private Status deadlineExceeded() {
    Wait wait = waiting;
    return Status.DEADLINE_EXCEEDED.withDescription("the call's deadline expired"
        + (wait == null ? " before it started" : " while waiting for " + wait.what));
  }

  private static Deadline earliest(Deadline a, Deadline b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : a.minimum(b);
  }

  /** The call left the queue: its deadline timer and context listener go (the real call has its own). */
  private void disarmLocked() {
    if (deadlineTimer != null) {
      deadlineTimer.cancel();
    }
    if (contextListener != null) {
      context.removeListener(contextListener);
    }
  }

  /** Routing ended without an upstream call: the call closes with {@code status} (or its cancel). */
  private void fail(Status status) {
    synchronized (lock) {
      closeLocked(cancelled != null ? cancelled : status);
    }
  }

  /** Closes the call once, giving back what a wait holds; the listener hears it on the call's executor. */
  private void closeLocked(Status status) {
    if (closed) {
      return;
    }
    closed = true;
    Wait wait = waiting;
    waiting = null;
    if (wait != null) {
      if (wait.timer != null) {
        wait.timer.cancel();
      }
      if (wait.abandon != null) {
        wait.abandon.run();
      }
    }
    disarmLocked();
    pending = null;
    Listener<RespT> app = listener;
    callbackExecutor.execute(() -> app.onClose(status, new Metadata()));
  }

  /**
   * The real call exists: start it in the caller's context, then replay what was queued, in order. If the call
   * ended meanwhile (it cannot, as only queued calls are closed, but if) {@code giveBack} releases what it holds.
   */
  private void begin(ClientCall<ReqT, RespT> call, Runnable giveBack) {
    Status cancel;
    synchronized (lock) {
      if (closed) {
        if (giveBack != null) {
          giveBack.run();
        }
        return;
      }
      delegate = call;
      disarmLocked();
      cancel = cancelled;
    }
    if (Context.current() == context) {
      call.start(listener, headers); // routed within start(), on the caller's thread: its context is current
    } else {
      Context previous = context.attach();
      try {
        call.start(listener, headers);
      } finally {
        context.detach(previous);
      }
    }
    if (cancel != null) {
      call.cancel(cancel.getDescription(), cancel.getCause());
    }
    while (true) {
      List<Consumer<ClientCall<ReqT, RespT>>> operations;
      synchronized (lock) {
        if (pending == null || pending.isEmpty()) {
          pending = null;
          passThrough = true;
          return;
        }
        operations = pending;
        pending = new ArrayList<>();
      }
      for (Consumer<ClientCall<ReqT, RespT>> operation : operations) {
        operation.accept(call);
      }
    }
  }

  /** Runs {@code operation} on the real call, or queues it until the call exists; dropped once closed locally. */
  private void onCall(Consumer<ClientCall<ReqT, RespT>> operation) {
    if (!passThrough) {
      synchronized (lock) {
        if (!passThrough) {
          if (!closed) {
            if (pending == null) {
              pending = new ArrayList<>();
            }
            pending.add(operation);
          }
          return;
        }
      }
    }
    operation.accept(delegate);
  }

  @Override
  public void request(int numMessages) {
    if (passThrough) {
      delegate.request(numMessages);
    } else {
      onCall(call -> call.request(numMessages));
    }
  }

  @Override
  public void sendMessage(ReqT message) {
    OutboundCall noted = record;
    if (noted != null) {
      noted.addRequestBytes(MeteredListener.requestSize(method, message));
    }
    if (passThrough) {
      delegate.sendMessage(message);
    } else {
      onCall(call -> call.sendMessage(message));
    }
  }

  @Override
  public void halfClose() {
    onCall(ClientCall::halfClose);
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    onCall(call -> call.setMessageCompression(enabled));
  }

  @Override
  public void cancel(String message, Throwable cause) {
    ClientCall<ReqT, RespT> call;
    synchronized (lock) {
      call = delegate;
      if (call == null) {
        if (cancelled == null) {
          cancelled = Status.CANCELLED.withDescription(message).withCause(cause);
        }
        // Queued: closes now. Not started: start() closes it. Routing on another thread: it sees the cancel.
        if (started && waiting != null) {
          closeLocked(cancelled);
        }
        return;
      }
    }
    call.cancel(message, cause);
  }

  @Override
  public boolean isReady() {
    return passThrough && delegate.isReady();
  }

  @Override
  public Attributes getAttributes() {
    ClientCall<ReqT, RespT> call = delegate;
    return passThrough ? call.getAttributes() : Attributes.EMPTY;
  }
}

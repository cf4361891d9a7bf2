package io.mesh4j.grpc;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.MeshInternals;
import io.mesh4j.runtime.engine.FaultDelay;
import io.mesh4j.runtime.engine.MeshEngine;
import io.mesh4j.runtime.engine.RouteStep;
import io.mesh4j.runtime.engine.RoutingDecision;
import io.mesh4j.runtime.grpc.MeshChannel;
import io.mesh4j.runtime.view.InMemoryRequest;
import io.mesh4j.runtime.testing.BehavingGrpcServer;
import io.mesh4j.runtime.testing.FakeTime;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.XdsResources;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ClientCall.start} never blocks: a call that must wait (the target's first config, an injected fault delay)
 * is queued with its messages and started later, and every wait is a timer on the injected (here fake) clock that
 * ends at the first of its own end, the route timeout, the call's deadline or a cancel. Real control plane, real
 * gRPC server on loopback.
 */
class GrpcQueuedCallTest {
  private static final String TARGET = "orders.mesh:9090";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private LoopbackControlPlane controlPlane;
  private BehavingGrpcServer server;
  private Mesh mesh;
  private ManagedChannel channel;
  private final FakeTime time = new FakeTime();
  private final ExecutorService callbacks = Executors.newSingleThreadExecutor();

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    server = BehavingGrpcServer.start("b0");
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (mesh != null) {
      mesh.close();
    }
    callbacks.shutdownNow();
    controlPlane.close();
    server.close();
  }

  /** The mesh and a channel whose timers run on the fake clock; the control plane has answered nothing yet. */
  private void meshWithFakeTime(Duration listenerWait) {
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(listenerWait).build();
    channel = new MeshChannel(MeshInternals.of(mesh).engine(), TARGET,
        address -> ManagedChannelBuilder.forTarget("dns:///" + address).usePlaintext().overrideAuthority(TARGET).build(),
        callbacks, time.environment(() -> 0));
  }

  /**
   * Serves the target with a fault filter delaying {@code delay} (100%, at most one active fault), or without one
   * when {@code delay} is null; the route timeout 0 is none.
   */
  private void serveWithDelay(Duration delay, Duration routeTimeout) {
    HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
        .setRds(Rds.newBuilder().setRouteConfigName("orders-routes").setConfigSource(XdsResources.ads()));
    if (delay != null) {
      HTTPFault fault = HTTPFault.newBuilder()
          .setDelay(io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay.newBuilder().setFixedDelay(Durations.fromNanos(delay.toNanos()))
              .setPercentage(FractionalPercent.newBuilder().setNumerator(100)))
          .setMaxActiveFaults(UInt32Value.of(1))
          .build();
      hcm.addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.fault").setTypedConfig(Any.pack(fault)));
    }
    hcm.addHttpFilters(XdsResources.routerFilter());
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("orders-routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("orders").addDomains(TARGET)
            .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setCluster("orders")
                    .setTimeout(Durations.fromNanos(routeTimeout.toNanos())))))
        .build();
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, hcm.build())), List.of(routes),
        List.of(edsCluster("orders")), List.of(cla("orders", server.hostPort())));
  }

  /**
   * Waits until the mesh has the target's config, so that a call's only waits are the ones a test means (the
   * routing probe gives back whatever it took).
   */
  private void awaitConfig() throws Exception {
    MeshEngine engine = MeshInternals.of(mesh).engine();
    await().atMost(WAIT).until(() -> {
      RouteStep step = engine.routeStep(TARGET, InMemoryRequest.get(TARGET, "/" + BehavingGrpcServer.UNARY.getFullMethodName()));
      if (step instanceof FaultDelay delay) {
        delay.abandon();
      } else if (step instanceof RoutingDecision decision) {
        decision.lease().release();
        decision.complete();
      }
      return !(step instanceof RouteStep.AwaitConfig);
    });
  }

  private void servePlain() {
    serveWithDelay(null, Duration.ZERO);
  }

  /** One unary call's outcome. */
  private static final class Outcome extends ClientCall.Listener<String> {
    final CompletableFuture<Status> closed = new CompletableFuture<>();
    volatile String message;
    volatile int closes;

    @Override
    public void onMessage(String value) {
      message = value;
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      closes++;
      closed.complete(status);
    }

    Status status() throws Exception {
      return closed.get(10, TimeUnit.SECONDS);
    }
  }

  /** Starts a unary call the way stubs do; returns once {@code start} and the buffered operations returned. */
  private ClientCall<String, String> call(String request, CallOptions options, Outcome outcome) {
    ClientCall<String, String> call = channel.newCall(BehavingGrpcServer.UNARY, options);
    call.start(outcome, new Metadata());
    call.sendMessage(request);
    call.halfClose();
    call.request(1);
    return call;
  }

  /** Waits until routing queued the call on a timer (routing runs on the caller's thread or the call executor). */
  private void awaitTimers(int count) {
    await().atMost(WAIT).until(() -> time.pendingTasks() == count);
  }

  @Test
  void aFaultDelayIsATimerAndTheQueuedMessagesGoOutWhenItEnds() throws Exception {
    meshWithFakeTime(WAIT);
    serveWithDelay(Duration.ofSeconds(20), Duration.ZERO);
    awaitConfig();
    Outcome outcome = new Outcome();
    call("ok", CallOptions.DEFAULT, outcome);
    awaitTimers(1); // the delay, and no deadline: nothing else

    time.advance(20 * SECOND - 1);
    assertThat(outcome.closed).isNotDone();
    assertThat(server.calls()).isZero();
    time.advance(1);
    assertThat(outcome.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(outcome.message).isEqualTo("b0:0");
  }

  @Test
  void theCallersDeadlineEndsAFaultDelayFarLongerThanItWithDeadlineExceeded() throws Exception {
    meshWithFakeTime(WAIT);
    serveWithDelay(Duration.ofSeconds(20), Duration.ZERO);
    awaitConfig();
    Outcome outcome = new Outcome();
    call("ok", CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS), outcome);
    awaitTimers(2); // the delay and the deadline

    time.advance(2 * SECOND);
    Status status = outcome.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(status.getDescription()).contains("injected fault delay of PT20S");
    assertThat(time.pendingTasks()).isZero(); // the delay's timer went with the call
    time.advance(30 * SECOND);
    assertThat(server.calls()).isZero();
    assertThat(outcome.closes).isEqualTo(1);

    // The fault was released (max_active_faults 1): the next call is delayed again rather than let through.
    Outcome next = new Outcome();
    call("ok", CallOptions.DEFAULT, next);
    awaitTimers(1);
    assertThat(next.closed).isNotDone();
  }

  @Test
  void aDelayReachingTheRouteTimeoutEndsAtTheTimeoutAsUpstreamTimeout() throws Exception {
    meshWithFakeTime(WAIT);
    serveWithDelay(Duration.ofSeconds(20), Duration.ofSeconds(1));
    awaitConfig();
    Outcome outcome = new Outcome();
    call("ok", CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), outcome);
    awaitTimers(2);

    time.advance(SECOND);
    Status status = outcome.status();
    assertThat(status.getDescription()).contains("UPSTREAM_TIMEOUT").contains("reached the route timeout PT1S");
    assertThat(server.calls()).isZero();
  }

  @Test
  void aCancelDuringTheDelayClosesTheCallAtOnceAndReleasesTheFault() throws Exception {
    meshWithFakeTime(WAIT);
    serveWithDelay(Duration.ofSeconds(20), Duration.ZERO);
    awaitConfig();
    Outcome outcome = new Outcome();
    ClientCall<String, String> call = call("ok", CallOptions.DEFAULT, outcome);
    awaitTimers(1);

    call.cancel("user gave up", null);
    Status status = outcome.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(status.getDescription()).isEqualTo("user gave up");
    assertThat(time.pendingTasks()).isZero();
    time.advance(30 * SECOND);
    assertThat(server.calls()).isZero();
    assertThat(outcome.closes).isEqualTo(1);

    Outcome next = new Outcome();
    call("ok", CallOptions.DEFAULT, next);
    awaitTimers(1); // delayed again: the cancelled call's fault no longer counts as active
  }

  @Test
  void cancellingTheCallersContextEndsAQueuedCall() throws Exception {
    meshWithFakeTime(WAIT);
    serveWithDelay(Duration.ofSeconds(20), Duration.ZERO);
    awaitConfig();
    Outcome outcome = new Outcome();
    io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
    context.run(() -> call("ok", CallOptions.DEFAULT, outcome));
    awaitTimers(1);

    context.cancel(new IllegalStateException("the server call this came from ended"));
    Status status = outcome.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(status.getDescription()).contains("context was cancelled");
    assertThat(time.pendingTasks()).isZero();
    time.advance(30 * SECOND);
    assertThat(server.calls()).isZero();
    assertThat(outcome.closes).isEqualTo(1);
  }

  @Test
  void aCallStartedBeforeTheControlPlaneAnsweredIsQueuedAndStartsWithTheConfig() throws Exception {
    meshWithFakeTime(WAIT);
    Outcome outcome = new Outcome();
    call("ok", CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), outcome);
    awaitTimers(2); // the listener wait and the deadline
    assertThat(outcome.closed).isNotDone();

    servePlain();
    assertThat(outcome.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(outcome.message).isEqualTo("b0:0");
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void theListenerWaitEndsAQueuedCallWithNoListener() throws Exception {
    meshWithFakeTime(Duration.ofSeconds(3));
    Outcome outcome = new Outcome();
    call("ok", CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), outcome);
    awaitTimers(2);

    time.advance(3 * SECOND);
    Status status = outcome.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription()).contains("NO_LISTENER");
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void aDeadlineBeforeTheListenerWaitEndsTheQueuedCallWithDeadlineExceeded() throws Exception {
    meshWithFakeTime(Duration.ofSeconds(30));
    Outcome outcome = new Outcome();
    call("ok", CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS), outcome);
    awaitTimers(2);

    time.advance(2 * SECOND);
    Status status = outcome.status();
    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(status.getDescription()).contains("mesh configuration of " + TARGET);

    // The config arriving later does not revive the call.
    servePlain();
    Outcome next = new Outcome();
    call("ok", CallOptions.DEFAULT, next);
    assertThat(next.status().getCode()).isEqualTo(Status.Code.OK);
    assertThat(outcome.closes).isEqualTo(1);
    assertThat(server.calls()).isEqualTo(1);
  }
}

package io.mesh4j.grpc;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.MeshInternals;
import io.mesh4j.runtime.grpc.MeshChannel;
import io.mesh4j.runtime.testing.BehavingGrpcServer;
import io.mesh4j.runtime.testing.FakeTime;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The route's timeouts and retries and the cluster's circuit breakers on gRPC calls, end to end: a real control
 * plane, real gRPC servers on loopback that fail, stall and stream on command, and the same policy code the OkHttp
 * path runs.
 */
class GrpcResilienceIntegrationTest {
  private static final String TARGET = "orders.mesh:9090";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private LoopbackControlPlane controlPlane;
  private BehavingGrpcServer server;
  private Mesh mesh;
  private ManagedChannel channel;

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
    controlPlane.close();
    server.close();
  }

  private void serve(RouteAction.Builder action) {
    serve(action, edsCluster("orders"));
  }

  private void serve(RouteAction.Builder action, Cluster cluster) {
    serve(action, cluster, server.hostPort());
  }

  private void serve(RouteAction.Builder action, Cluster cluster, String... endpoints) {
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("orders-routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("orders").addDomains(TARGET)
            .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(action.setCluster("orders"))))
        .build();
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "orders-routes")), List.of(routes),
        List.of(cluster), List.of(cla("orders", endpoints)));
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT).build();
    channel = MeshGrpc.newChannel(mesh, TARGET);
  }

  private static RetryPolicy.Builder retryOn(String on, int retries) {
    // A short back-off keeps the test fast; the back-off itself is covered with a fake clock below.
    return RetryPolicy.newBuilder().setRetryOn(on).setNumRetries(UInt32Value.of(retries))
        .setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(Durations.fromMillis(1)));
  }

  private String unary(String request, long deadlineMillis) {
    return ClientCalls.blockingUnaryCall(channel, BehavingGrpcServer.UNARY,
        CallOptions.DEFAULT.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS), request);
  }

  private static Status statusOf(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
    throw new AssertionError("the call succeeded");
  }

  @Test
  void retriesUnavailableUntilSuccessAndTheServerSeesThePreviousAttempts() {
    serve(RouteAction.newBuilder().setRetryPolicy(retryOn("unavailable", 3)));

    assertThat(unary("fail-first:2:UNAVAILABLE", 10_000)).isEqualTo("b0:2");
    assertThat(server.previousAttempts()).containsExactly(0, 1, 2);
    // More calls than the default max_retries (3): every retry slot was given back.
    for (int i = 0; i < 5; i++) {
      assertThat(unary("fail-first:2:UNAVAILABLE", 10_000)).isEqualTo("b0:2");
    }
  }

  @Test
  void retriesStopAtNumRetriesAndOnlyForTheConfiguredConditions() {
    serve(RouteAction.newBuilder().setRetryPolicy(retryOn("unavailable", 1)));

    Status exhausted = statusOf(() -> unary("fail-first:5:UNAVAILABLE", 10_000));
    assertThat(exhausted.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(server.previousAttempts()).containsExactly(0, 1);

    server.clear();
    assertThat(statusOf(() -> unary("fail-first:5:INTERNAL", 10_000)).getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(server.previousAttempts()).containsExactly(0); // retry_on has no 'internal'
  }

  @Test
  void noRetryOnceAResponseMessageWasDelivered() {
    serve(RouteAction.newBuilder().setRetryPolicy(retryOn("unavailable", 3)));

    Iterator<String> stream = ClientCalls.blockingServerStreamingCall(channel, BehavingGrpcServer.STREAM,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "go");
    assertThat(stream.next()).isEqualTo("b0");
    assertThatThrownBy(stream::hasNext).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThat(server.previousAttempts()).containsExactly(0);
  }

  @Test
  void clientStreamingIsReplayedWhileBufferedAndCommitsPastTheBufferLimit() throws Exception {
    serve(RouteAction.newBuilder().setRetryPolicy(retryOn("unavailable", 2)));

    // Small upload: buffered, so the failed first attempt is replayed in full.
    assertThat(upload(3, 10)).isEqualTo("30");
    assertThat(server.previousAttempts()).containsExactly(0, 1);

    // Over 1 MiB: the call commits to its first attempt, whose UNAVAILABLE reaches the caller.
    server.clear();
    assertThatThrownBy(() -> upload(5, 300 * 1024)).hasRootCauseInstanceOf(StatusRuntimeException.class)
        .rootCause().satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
            .isEqualTo(Status.Code.UNAVAILABLE));
    assertThat(server.previousAttempts()).containsExactly(0);
  }

  private String upload(int messages, int size) throws Exception {
    CompletableFuture<String> result = new CompletableFuture<>();
    StreamObserver<String> requests = io.grpc.stub.ClientCalls.asyncClientStreamingCall(
        channel.newCall(BehavingGrpcServer.UPLOAD, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)),
        new StreamObserver<>() {
          @Override
          public void onNext(String value) {
            result.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            result.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    String chunk = "x".repeat(size);
    for (int i = 0; i < messages; i++) {
      requests.onNext(chunk);
    }
    requests.onCompleted();
    return result.get(10, TimeUnit.SECONDS);
  }

  @Test
  void theRouteTimeoutEndsTheCallWithDeadlineExceededNamingIt() {
    serve(RouteAction.newBuilder().setTimeout(Durations.fromMillis(300)));

    long start = System.nanoTime();
    Status status = statusOf(() -> unary("sleep:5000", 10_000));
    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(status.getDescription()).contains("UPSTREAM_TIMEOUT").contains("route timeout of PT0.3S");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void theCallsOwnDeadlineWinsWhenItIsEarlier() {
    serve(RouteAction.newBuilder().setTimeout(Durations.fromSeconds(10)));

    Status status = statusOf(() -> unary("sleep:5000", 300));
    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(status.getDescription()).doesNotContain("UPSTREAM_TIMEOUT");
  }

  @Test
  void grpcTimeoutHeaderOffsetMakesTheMeshTimeTheCallOutBeforeTheCaller() {
    serve(RouteAction.newBuilder().setTimeout(Durations.fromSeconds(0))
        .setMaxStreamDuration(RouteAction.MaxStreamDuration.newBuilder()
            .setGrpcTimeoutHeaderMax(Durations.fromSeconds(0))
            .setGrpcTimeoutHeaderOffset(Durations.fromMillis(400))));

    // Deadline 1.5 s minus the 400 ms offset: the mesh's own timeout (UT) fires first.
    Status status = statusOf(() -> unary("sleep:5000", 1500));
    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(status.getDescription()).contains("UPSTREAM_TIMEOUT");
    assertThat(unary("ok", 1500)).isEqualTo("b0:0");
  }

  @Test
  void aPerTryTimeoutCancelsTheSlowAttemptAndRetries() {
    serve(RouteAction.newBuilder().setRetryPolicy(retryOn("reset", 1).setPerTryTimeout(Durations.fromMillis(300))));

    assertThat(unary("sleep-first:5000", 10_000)).isEqualTo("b0:1");
    assertThat(server.previousAttempts()).containsExactly(0, 1);

    server.clear();
    Status status = statusOf(() -> unary("sleep:5000", 10_000));
    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(status.getDescription()).contains("per-try timeout");
    assertThat(server.previousAttempts()).containsExactly(0, 1);
  }

  @Test
  void maxRequestsOverflowFailsUnavailableNamingTheBreakerAndTheSlotComesBack() throws Exception {
    Cluster limited = edsCluster("orders").toBuilder().setCircuitBreakers(CircuitBreakers.newBuilder()
        .addThresholds(CircuitBreakers.Thresholds.newBuilder().setMaxRequests(UInt32Value.of(1)))).build();
    serve(RouteAction.newBuilder(), limited);

    ClientCall<String, String> hanging = channel.newCall(BehavingGrpcServer.UNARY, CallOptions.DEFAULT);
    CompletableFuture<Status> hangingClosed = new CompletableFuture<>();
    hanging.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        hangingClosed.complete(status);
      }
    }, new Metadata());
    hanging.sendMessage("hang");
    hanging.halfClose();
    hanging.request(1);
    await().atMost(WAIT).until(() -> server.hanging() == 1);

    Status overflow = statusOf(() -> unary("ok", 10_000));
    assertThat(overflow.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(overflow.getDescription()).contains("OVERFLOW").contains("max_requests 1");

    hanging.cancel("done", null);
    assertThat(hangingClosed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(unary("ok", 10_000)).isEqualTo("b0:0"); // the attempt's slot was given back on close
  }

  @Test
  void unavailableCountsAsA503ForOutlierDetection() {
    try (BehavingGrpcServer bad = BehavingGrpcServer.start("b1")) {
      Cluster ejecting = edsCluster("orders").toBuilder().setOutlierDetection(
          io.envoyproxy.envoy.config.cluster.v3.OutlierDetection.newBuilder()
              .setConsecutive5Xx(UInt32Value.of(2)).setMaxEjectionPercent(UInt32Value.of(50))).build();
      serve(RouteAction.newBuilder(), ejecting, server.hostPort(), bad.hostPort());
      List<String> servedBy = new java.util.ArrayList<>();
      for (int i = 0; i < 12; i++) {
        try {
          servedBy.add(unary("fail-on:b1:UNAVAILABLE", 10_000));
        } catch (StatusRuntimeException e) {
          servedBy.add(e.getStatus().getCode().name());
        }
      }
      // Round robin sends every other call to b1 until its second consecutive UNAVAILABLE (503) ejects it.
      assertThat(bad.calls()).isEqualTo(2);
      assertThat(servedBy.subList(6, 12)).containsOnly("b0:0");
    }
  }

  /** A mesh channel whose timers run on {@code time}, with a fixed random value (so a fixed back-off). */
  private ManagedChannel fakeTimeChannel(FakeTime time, long random, ExecutorService callbacks) {
    return new MeshChannel(MeshInternals.of(mesh).engine(), TARGET,
        address -> ManagedChannelBuilder.forTarget("dns:///" + address).usePlaintext().overrideAuthority(TARGET).build(),
        callbacks, time.environment(() -> random));
  }

  private static RouteAction.Builder retryWithBackOff(Duration base) {
    // Route timeout off, so that the back-off is the only timer.
    return RouteAction.newBuilder().setTimeout(Durations.fromSeconds(0)).setRetryPolicy(RetryPolicy.newBuilder()
        .setRetryOn("unavailable").setNumRetries(UInt32Value.of(1))
        .setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(Durations.fromNanos(base.toNanos()))));
  }

  @Test
  void theBackOffIsScheduledOnTheInjectedTimerNotSlept() throws Exception {
    serve(retryWithBackOff(Duration.ofSeconds(10)));
    unary("ok", 10_000); // the mesh has its config
    server.clear();
    FakeTime time = new FakeTime();
    long fiveSeconds = TimeUnit.SECONDS.toNanos(5);
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    ManagedChannel fake = fakeTimeChannel(time, fiveSeconds, callbacks); // back-off: 5 s % 10 s = 5 s
    try {
      CompletableFuture<String> reply = new CompletableFuture<>();
      ClientCalls.asyncUnaryCall(fake.newCall(BehavingGrpcServer.UNARY, CallOptions.DEFAULT),
          "fail-first:1:UNAVAILABLE", new StreamObserver<>() {
            @Override
            public void onNext(String value) {
              reply.complete(value);
            }

            @Override
            public void onError(Throwable t) {
              reply.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
          });
      await().atMost(WAIT).until(() -> server.calls() == 1 && time.pendingTasks() == 1);
      time.advance(fiveSeconds - 1_000_000);
      Thread.sleep(100); // nothing is due: no retry may start
      assertThat(server.calls()).isEqualTo(1);
      time.advance(1_000_000);
      assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("b0:1");
    } finally {
      fake.shutdownNow();
      callbacks.shutdownNow();
    }
  }

  @Test
  void cancellingDuringTheBackOffClosesTheCallAtOnce() throws Exception {
    serve(retryWithBackOff(Duration.ofSeconds(60)));
    unary("ok", 10_000);
    server.clear();
    FakeTime time = new FakeTime();
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    ManagedChannel fake = fakeTimeChannel(time, TimeUnit.SECONDS.toNanos(30), callbacks);
    try {
      ClientCall<String, String> call = fake.newCall(BehavingGrpcServer.UNARY, CallOptions.DEFAULT);
      List<Status> closes = new java.util.concurrent.CopyOnWriteArrayList<>();
      CompletableFuture<Status> closed = new CompletableFuture<>();
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onClose(Status status, Metadata trailers) {
          closes.add(status);
          closed.complete(status);
        }
      }, new Metadata());
      call.sendMessage("fail-first:1:UNAVAILABLE");
      call.halfClose();
      call.request(1);
      await().atMost(WAIT).until(() -> server.calls() == 1 && time.pendingTasks() == 1); // backing off
      call.cancel("user gave up", null);
      assertThat(closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
      assertThat(time.pendingTasks()).isZero(); // the back-off timer was cancelled
      time.advance(TimeUnit.SECONDS.toNanos(60));
      Thread.sleep(50);
      assertThat(closes).hasSize(1);
      assertThat(server.calls()).isEqualTo(1);
    } finally {
      fake.shutdownNow();
      callbacks.shutdownNow();
    }
  }

  @Test
  void aRetryWaitsForAMaxRetriesSlotOrIsNotRetriedSayingSo() throws Exception {
    Cluster oneRetry = edsCluster("orders").toBuilder().setCircuitBreakers(CircuitBreakers.newBuilder()
        .addThresholds(CircuitBreakers.Thresholds.newBuilder().setMaxRetries(UInt32Value.of(1)))).build();
    serve(retryWithBackOff(Duration.ofSeconds(10)), oneRetry);
    unary("ok", 10_000);
    server.clear();
    FakeTime time = new FakeTime();
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    ManagedChannel fake = fakeTimeChannel(time, TimeUnit.SECONDS.toNanos(5), callbacks);
    try {
      // The first call's retry holds the only max_retries slot through its (fake, never advanced) back-off.
      CompletableFuture<String> first = new CompletableFuture<>();
      ClientCalls.asyncUnaryCall(fake.newCall(BehavingGrpcServer.UNARY, CallOptions.DEFAULT),
          "fail-first:1:UNAVAILABLE", observer(first));
      await().atMost(WAIT).until(() -> time.pendingTasks() == 1);

      CompletableFuture<String> second = new CompletableFuture<>();
      ClientCalls.asyncUnaryCall(fake.newCall(BehavingGrpcServer.UNARY, CallOptions.DEFAULT),
          "fail-first:1:UNAVAILABLE", observer(second));
      assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS)).rootCause()
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).contains("not retried: the cluster's max_retries (1) are in use");
          });

      time.advance(TimeUnit.SECONDS.toNanos(5));
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("b0:1");
      assertThat(server.previousAttempts()).containsExactly(0, 0, 1);
    } finally {
      fake.shutdownNow();
      callbacks.shutdownNow();
    }
  }

  private static StreamObserver<String> observer(CompletableFuture<String> result) {
    return new StreamObserver<>() {
      @Override
      public void onNext(String value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    };
  }
}

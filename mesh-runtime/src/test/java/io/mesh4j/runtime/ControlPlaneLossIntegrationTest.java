package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.mesh4j.Mesh;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.ResourceStatus;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.runtime.testing.FreePorts;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import io.mesh4j.runtime.testing.NamedHttpServer;
import io.mesh4j.runtime.testing.PacedLoad;
import io.mesh4j.runtime.testing.ReliabilityFigures;
import io.mesh4j.runtime.xds.BackoffPolicy;
import io.mesh4j.runtime.xds.ExponentialBackoffPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control plane dies under load (OkHttp and gRPC calls), stays down, and comes back on the same port with a
 * changed config: no call fails meanwhile, and the change is followed once it is back.
 *
 * <p>CI keeps it short: 100 calls/s per transport, down for five failed reconnection attempts with a fixed 200 ms
 * back-off. {@code benchmarks/run.sh} runs the figures: {@code -Dmesh4j.controlPlaneLoss.downSeconds=30}
 * (kept down that long), {@code -Dmesh4j.controlPlaneLoss.rate=100} (calls/s per transport),
 * {@code -Dmesh4j.controlPlaneLoss.grpcBackoff=true} (the mesh's own reconnection back-off, gRPC's, instead of the
 * fixed one) and {@code -Dmesh4j.controlPlaneLoss.followWithinSeconds=5} (the change followed within that time of
 * the first reconnection to the restarted server: a timing claim, so only there), and writes the figures for the
 * benchmark report ({@link ReliabilityFigures}).
 */
class ControlPlaneLossIntegrationTest {
  private static final String HTTP_TARGET = "catalog.mesh:8080";
  private static final String GRPC_TARGET = "echo.mesh:9090";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int RATE = Integer.getInteger("mesh4j.controlPlaneLoss.rate", 100);
  private static final int DOWN_SECONDS = Integer.getInteger("mesh4j.controlPlaneLoss.downSeconds", 0);
  private static final boolean GRPC_BACKOFF = Boolean.getBoolean("mesh4j.controlPlaneLoss.grpcBackoff");
  private static final Integer FOLLOW_WITHIN_SECONDS = Integer.getInteger("mesh4j.controlPlaneLoss.followWithinSeconds");

  private LoopbackControlPlane controlPlane;
  private NamedHttpServer httpV1;
  private NamedHttpServer httpV2;
  private NamedGrpcServer grpcV1;
  private NamedGrpcServer grpcV2;
  private Mesh mesh;
  private ManagedChannel channel;
  private final AtomicInteger reconnectAttempts = new AtomicInteger();

  @BeforeEach
  void start() {
    // Below the ephemeral range: while it is down, no outgoing connection can be given its port.
    controlPlane = LoopbackControlPlane.start(FreePorts.next());
    httpV1 = NamedHttpServer.start("http-v1");
    httpV2 = NamedHttpServer.start("http-v2");
    grpcV1 = NamedGrpcServer.start("grpc-v1");
    grpcV2 = NamedGrpcServer.start("grpc-v2");
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
    httpV1.close();
    httpV2.close();
    grpcV1.close();
    grpcV2.close();
  }

  /**
   * Both targets, each routed to the cluster of {@code version}. The v1 clusters stay in every snapshot: the
   * protocol asks a control plane to remove a cluster only after no route names it.
   */
  private void serve(String version) {
    NamedHttpServer http = version.equals("v1") ? httpV1 : httpV2;
    NamedGrpcServer grpc = version.equals("v1") ? grpcV1 : grpcV2;
    controlPlane.setSnapshot(version,
        List.of(apiListener(HTTP_TARGET, "http-routes"), apiListener(GRPC_TARGET, "grpc-routes")),
        List.of(routeConfig("http-routes", HTTP_TARGET, "http-" + version),
            routeConfig("grpc-routes", GRPC_TARGET, "grpc-" + version)),
        List.of(edsCluster("http-v1"), edsCluster("grpc-v1"), edsCluster("http-" + version),
            edsCluster("grpc-" + version)).stream().distinct().toList(),
        List.of(cla("http-v1", httpV1.hostPort()), cla("grpc-v1", grpcV1.hostPort()),
            cla("http-" + version, http.hostPort()), cla("grpc-" + version, grpc.hostPort())).stream().distinct()
            .toList());
  }

  /** The back-off between reconnection attempts, counting them: gRPC's (the mesh's default) or a fixed short one. */
  private Supplier<BackoffPolicy> countedBackoff() {
    Supplier<BackoffPolicy> policies = GRPC_BACKOFF
        ? ExponentialBackoffPolicy.grpcDefaults(new Random())
        : () -> () -> Duration.ofMillis(200).toNanos();
    return () -> {
      BackoffPolicy policy = policies.get();
      return () -> {
        reconnectAttempts.incrementAndGet();
        return policy.nextBackoffNanos();
      };
    };
  }

  @Test
  void servesThroughTheOutageAndFollowsTheRestartedControlPlane() throws Exception {
    serve("v1");
    mesh = MeshRuntime.start(
        Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(Duration.ofSeconds(20))
            .outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY).options(),
        xds -> xds.backoffPolicy(countedBackoff()));
    OkHttpClient http = mesh.okHttp(new OkHttpClient.Builder()).build();
    channel = MeshGrpc.newChannel(mesh, GRPC_TARGET);
    Request request = new Request.Builder().url("http://" + HTTP_TARGET + "/items").build();

    PacedLoad httpLoad = PacedLoad.start("http", RATE, () -> {
      try (Response response = http.newCall(request).execute()) {
        if (response.code() != 200) {
          throw new AssertionError("HTTP " + response.code());
        }
        return response.body().string();
      }
    });
    PacedLoad grpcLoad = PacedLoad.start("grpc", RATE, () -> ClientCalls.blockingUnaryCall(channel,
        NamedGrpcServer.HELLO, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "hi"));
    long downNanos;
    long httpCallsWhileDown;
    long grpcCallsWhileDown;
    long returnedNanos;
    long reconnectedNanos;
    try {
      await().atMost(WAIT).until(() -> httpLoad.count("http-v1") >= 20 && grpcLoad.count("grpc-v1") >= 20);
      assertThat(httpLoad.failures()).isEmpty();
      assertThat(grpcLoad.failures()).isEmpty();

      controlPlane.stop();
      long stoppedNanos = System.nanoTime();
      long httpCallsBeforeLoss = httpLoad.calls();
      long grpcCallsBeforeLoss = grpcLoad.calls();
      await().atMost(WAIT).until(() -> !mesh.status().connected());
      long httpBefore = httpLoad.count("http-v1");
      long grpcBefore = grpcLoad.count("grpc-v1");
      // Kept down for several failed reconnection attempts (or the time asked for), while calls keep being served
      // on the last config.
      int attemptsBefore = reconnectAttempts.get();
      await().atMost(WAIT.plusSeconds(DOWN_SECONDS)).until(() -> reconnectAttempts.get() >= attemptsBefore + 5
          || System.nanoTime() - stoppedNanos >= TimeUnit.SECONDS.toNanos(DOWN_SECONDS) && DOWN_SECONDS > 0);
      await().atMost(WAIT.plusSeconds(DOWN_SECONDS)).until(() -> httpLoad.count("http-v1") >= httpBefore + 50
          && grpcLoad.count("grpc-v1") >= grpcBefore + 50
          && System.nanoTime() - stoppedNanos >= TimeUnit.SECONDS.toNanos(DOWN_SECONDS));
      assertThat(mesh.status().connected()).isFalse();
      assertThat(MeshInternals.of(mesh).xdsClient().stats().serverFailures(controlPlane.target())).isEqualTo(1);

      serve("v2");
      int streamsBefore = controlPlane.streamsOpened();
      controlPlane.restart();
      returnedNanos = System.nanoTime();
      downNanos = returnedNanos - stoppedNanos;
      httpCallsWhileDown = httpLoad.calls() - httpCallsBeforeLoss;
      grpcCallsWhileDown = grpcLoad.calls() - grpcCallsBeforeLoss;
      await().atMost(WAIT.multipliedBy(3)).until(() -> httpLoad.count("http-v2") >= 20
          && grpcLoad.count("grpc-v2") >= 20);
      assertThat(controlPlane.streamsOpened()).isGreaterThan(streamsBefore);
      reconnectedNanos = controlPlane.lastStreamOpenedNanos();
      assertThat(mesh.status().connected()).isTrue();
      assertThat(mesh.status().resources()).extracting(ResourceStatus::source).containsOnly(controlPlane.target());
    } finally {
      httpLoad.close();
      grpcLoad.close();
    }
    assertThat(httpLoad.failures()).isEmpty();
    assertThat(grpcLoad.failures()).isEmpty();

    long httpFollowed = httpLoad.firstSeenNanos("http-v2");
    long grpcFollowed = grpcLoad.firstSeenNanos("grpc-v2");
    ReliabilityFigures.titled(String.format(Locale.ROOT, "Control plane lost under load: %d calls/s per transport,"
            + " down %.0f s, restarted on the same port with a changed config, %s reconnection back-off", RATE,
            downNanos / 1e9, GRPC_BACKOFF ? "gRPC's" : "a fixed 200 ms"))
        .add("OkHttp calls (failed)", httpLoad.calls() + " (" + httpLoad.failures().size() + ")")
        .add("gRPC calls (failed)", grpcLoad.calls() + " (" + grpcLoad.failures().size() + ")")
        .add("OkHttp / gRPC calls per second while down", String.format(Locale.ROOT, "%.0f / %.0f",
            httpCallsWhileDown * 1e9 / downNanos, grpcCallsWhileDown * 1e9 / downNanos))
        .addSeconds("control plane down", TimeUnit.NANOSECONDS.toMillis(downNanos))
        .add("reconnection attempts while down", reconnectAttempts.get())
        .addSeconds("back, to the mesh's reconnection (its back-off)",
            TimeUnit.NANOSECONDS.toMillis(reconnectedNanos - returnedNanos))
        .addSeconds("back, to the change followed over OkHttp",
            TimeUnit.NANOSECONDS.toMillis(httpFollowed - returnedNanos))
        .addSeconds("back, to the change followed over gRPC",
            TimeUnit.NANOSECONDS.toMillis(grpcFollowed - returnedNanos))
        .addSeconds("reconnection, to the change followed (both)",
            TimeUnit.NANOSECONDS.toMillis(Math.max(httpFollowed, grpcFollowed) - reconnectedNanos))
        .write();
    if (FOLLOW_WITHIN_SECONDS != null) {
      assertThat(Duration.ofNanos(Math.max(httpFollowed, grpcFollowed) - reconnectedNanos))
          .as("the change followed after the reconnection").isLessThanOrEqualTo(
              Duration.ofSeconds(FOLLOW_WITHIN_SECONDS));
    }
  }
}

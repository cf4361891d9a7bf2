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
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import io.mesh4j.runtime.testing.NamedHttpServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control plane dies under load (OkHttp and gRPC calls), stays down, and comes back on the same port with a
 * changed config: no call fails meanwhile, and the change is followed once it is back.
 */
class ControlPlaneLossIntegrationTest {
  private static final String HTTP_TARGET = "catalog.mesh:8080";
  private static final String GRPC_TARGET = "echo.mesh:9090";
  private static final Duration WAIT = Duration.ofSeconds(60);

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
    controlPlane = LoopbackControlPlane.start();
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

  @Test
  void servesThroughTheOutageAndFollowsTheRestartedControlPlane() throws Exception {
    serve("v1");
    // A short fixed backoff: the test waits for the reconnection, not for gRPC's growing delays.
    mesh = MeshRuntime.start(
        Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(Duration.ofSeconds(20))
            .outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY).options(),
        xds -> xds.backoffPolicy(() -> () -> {
          reconnectAttempts.incrementAndGet();
          return Duration.ofMillis(200).toNanos();
        }));
    OkHttpClient http = mesh.okHttp(new OkHttpClient.Builder()).build();
    channel = MeshGrpc.newChannel(mesh, GRPC_TARGET);

    Map<String, AtomicLong> served = new ConcurrentHashMap<>();
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread httpLoad = new Thread(() -> {
      Request request = new Request.Builder().url("http://" + HTTP_TARGET + "/items").build();
      while (running.get()) {
        try (Response response = http.newCall(request).execute()) {
          if (response.code() != 200) {
            failures.add(new AssertionError("HTTP " + response.code()));
          }
          served.computeIfAbsent(response.body().string(), k -> new AtomicLong()).incrementAndGet();
        } catch (Exception e) {
          failures.add(e);
        }
        pause();
      }
    }, "http-load");
    Thread grpcLoad = new Thread(() -> {
      while (running.get()) {
        try {
          String answer = ClientCalls.blockingUnaryCall(channel, NamedGrpcServer.HELLO,
              CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "hi");
          served.computeIfAbsent(answer, k -> new AtomicLong()).incrementAndGet();
        } catch (Exception e) {
          failures.add(e);
        }
        pause();
      }
    }, "grpc-load");
    httpLoad.start();
    grpcLoad.start();
    try {
      await().atMost(WAIT).until(() -> count(served, "http-v1") >= 20 && count(served, "grpc-v1") >= 20);
      assertThat(failures).isEmpty();

      controlPlane.stop();
      await().atMost(WAIT).until(() -> !mesh.status().connected());
      long httpBefore = count(served, "http-v1");
      long grpcBefore = count(served, "grpc-v1");
      // Kept down for several failed reconnection attempts, while calls keep being served on the last config.
      int attemptsBefore = reconnectAttempts.get();
      await().atMost(WAIT).until(() -> reconnectAttempts.get() >= attemptsBefore + 5
          && count(served, "http-v1") >= httpBefore + 50 && count(served, "grpc-v1") >= grpcBefore + 50);
      assertThat(mesh.status().connected()).isFalse();
      assertThat(MeshInternals.of(mesh).xdsClient().stats().serverFailures(controlPlane.target())).isEqualTo(1);

      serve("v2");
      controlPlane.restart();
      await().atMost(WAIT).until(() -> count(served, "http-v2") >= 20 && count(served, "grpc-v2") >= 20);
      assertThat(mesh.status().connected()).isTrue();
      assertThat(mesh.status().resources()).extracting(ResourceStatus::source).containsOnly(controlPlane.target());
    } finally {
      running.set(false);
      httpLoad.join(30_000);
      grpcLoad.join(30_000);
    }
    assertThat(failures).isEmpty();
  }

  private static long count(Map<String, AtomicLong> served, String server) {
    AtomicLong n = served.get(server);
    return n == null ? 0 : n.get();
  }

  /** About 100 calls a second per transport on an idle machine; slower on a busy one, which changes nothing here. */
  private static void pause() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

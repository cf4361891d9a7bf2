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
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import io.mesh4j.runtime.testing.NamedHttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A workload that starts while its control plane is down serves from the persisted last-good config. */
class ConfigCacheIntegrationTest {
  private static final String HTTP_TARGET = "catalog.mesh:8080";
  private static final String GRPC_TARGET = "echo.mesh:9090";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path cacheDir;
  private LoopbackControlPlane controlPlane;
  private NamedHttpServer httpV1;
  private NamedHttpServer httpV2;
  private NamedGrpcServer grpcV1;
  private Mesh mesh;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    httpV1 = NamedHttpServer.start("http-v1");
    httpV2 = NamedHttpServer.start("http-v2");
    grpcV1 = NamedGrpcServer.start("grpc-v1");
  }

  @AfterEach
  void stop() throws InterruptedException {
    closeMesh();
    controlPlane.close();
    httpV1.close();
    httpV2.close();
    grpcV1.close();
  }

  private void closeMesh() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
      channel = null;
    }
    if (mesh != null) {
      mesh.close();
      mesh = null;
    }
  }

  private void serve(String version, NamedHttpServer http) {
    controlPlane.setSnapshot(version,
        List.of(apiListener(HTTP_TARGET, "http-routes"), apiListener(GRPC_TARGET, "grpc-routes")),
        List.of(routeConfig("http-routes", HTTP_TARGET, "http"), routeConfig("grpc-routes", GRPC_TARGET, "grpc")),
        List.of(edsCluster("http"), edsCluster("grpc")),
        List.of(cla("http", http.hostPort()), cla("grpc", grpcV1.hostPort())));
  }

  private void startMesh() {
    mesh = MeshRuntime.start(
        Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).configCache(cacheDir)
            .listenerWait(Duration.ofSeconds(20)).outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY)
            .options(),
        xds -> xds.backoffPolicy(() -> () -> Duration.ofMillis(200).toNanos()));
    channel = MeshGrpc.newChannel(mesh, GRPC_TARGET);
  }

  private String http() throws IOException {
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();
    try (Response response = client.newCall(new Request.Builder().url("http://" + HTTP_TARGET + "/").build())
        .execute()) {
      assertThat(response.code()).isEqualTo(200);
      return response.body().string();
    }
  }

  private String grpc() {
    return ClientCalls.blockingUnaryCall(channel, NamedGrpcServer.HELLO,
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "hi");
  }

  private long cacheFiles() throws IOException {
    try (Stream<Path> files = Files.list(cacheDir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".xdsc")).count();
    }
  }

  @Test
  void startsWithTheControlPlaneDownFromTheCacheAndTakesTheFirstRealAnswer() throws Exception {
    serve("1", httpV1);
    startMesh();
    assertThat(http()).isEqualTo("http-v1");
    assertThat(grpc()).isEqualTo("grpc-v1");
    // 2 listeners, 2 route configurations, 2 clusters, 2 endpoint assignments.
    await().atMost(WAIT).until(() -> cacheFiles() == 8);
    closeMesh();

    controlPlane.stop();
    startMesh();
    // The very first requests of the new process succeed, from the cache.
    assertThat(http()).isEqualTo("http-v1");
    assertThat(grpc()).isEqualTo("grpc-v1");
    List<ResourceStatus> resources = mesh.status().resources();
    assertThat(resources).hasSize(8);
    assertThat(resources).extracting(ResourceStatus::state).containsOnly(ResourceState.CACHED);
    assertThat(resources).extracting(ResourceStatus::source).containsOnly("cache:" + cacheDir);
    assertThat(resources).extracting(ResourceStatus::version).containsOnly("1");
    assertThat(resources).allSatisfy(r -> assertThat(r.lastUpdated()).isNotNull());
    assertThat(mesh.status().connected()).isFalse();
    assertThat(mesh.status().toJson()).contains("\"state\":\"CACHED\"");

    // The control plane returns with a changed config: its answer replaces the cached one.
    serve("2", httpV2);
    controlPlane.restart();
    await().atMost(WAIT).until(() -> http().equals("http-v2"));
    await().atMost(WAIT).until(() -> mesh.status().resources().stream()
        .allMatch(r -> r.state() == ResourceState.ACKED && r.version().equals("2")));
    assertThat(mesh.status().resources()).extracting(ResourceStatus::source).containsOnly(controlPlane.target());
    assertThat(grpc()).isEqualTo("grpc-v1");
  }
}

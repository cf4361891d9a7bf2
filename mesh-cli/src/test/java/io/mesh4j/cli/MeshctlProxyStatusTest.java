package io.mesh4j.cli;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.mesh4j.Mesh;
import io.mesh4j.ResourceState;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * meshctl against a real control plane and a real instance's admin endpoint: it learns what is current by
 * subscribing to the control plane with the instance's node, and prints istioctl's columns.
 */
class MeshctlProxyStatusTest {
  private static final String TARGET = "catalog.mesh:8080";
  private static final Duration WAIT = Duration.ofSeconds(15);

  private LoopbackControlPlane controlPlane;
  private NamedHttpServer server;
  private Mesh mesh;
  private String admin;

  @BeforeEach
  void start() throws IOException {
    controlPlane = LoopbackControlPlane.start();
    server = NamedHttpServer.start("v1");
    serve("1", edsCluster("catalog"));
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT).adminPort(0).build();
    admin = "127.0.0.1:" + mesh.adminAddress().orElseThrow().getPort();
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();
    try (Response response = client.newCall(new Request.Builder().url("http://" + TARGET + "/").build()).execute()) {
      assertThat(response.body().string()).isEqualTo("v1");
    }
  }

  @AfterEach
  void stop() {
    mesh.close();
    controlPlane.close();
    server.close();
  }

  private void serve(String version, Cluster cluster) {
    controlPlane.setSnapshot(version, List.of(apiListener(TARGET, "routes")),
        List.of(routeConfig("routes", TARGET, "catalog")), List.of(cluster),
        List.of(cla("catalog", server.hostPort())));
  }

  private String meshctl(String... args) throws InterruptedException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Meshctl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  private void awaitInstance(String version) {
    await().atMost(WAIT).until(() -> mesh.status().resources().stream()
        .allMatch(r -> r.state() == ResourceState.ACKED && r.version().equals(version)));
  }

  @Test
  void anInstanceInSyncIsSyncedInEveryColumnAndFollowsANewVersion() throws Exception {
    String table = meshctl("proxy-status", "--control-plane", controlPlane.target(), "--instances", admin);

    List<String> lines = table.lines().toList();
    assertThat(lines.get(0)).startsWith("NAME").contains("CLUSTER", "CDS", "LDS", "EDS", "RDS", "CONTROL PLANE",
        "VERSION");
    assertThat(lines.get(1)).startsWith("test-node").contains("test-cluster").contains("mesh4j");
    assertThat(lines.get(1).split("SYNCED", -1)).hasSize(5);

    serve("2", edsCluster("catalog"));
    awaitInstance("2");
    assertThat(meshctl("proxy-status", "--control-plane", controlPlane.target(), "--instances", admin, "-o", "json"))
        .contains("\"name\": \"test-node\"").contains("\"cds\": \"SYNCED\"").contains("\"lds\": \"SYNCED\"")
        .contains("\"eds\": \"SYNCED\"").contains("\"rds\": \"SYNCED\"").contains("\"error\": null");
  }

  @Test
  void aRejectedVersionIsNackedWithItsErrorAndTheDetailShowsEachResource() throws Exception {
    serve("3", edsCluster("catalog").toBuilder().setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).build());
    await().atMost(WAIT).until(() -> mesh.status().resources().stream()
        .anyMatch(r -> r.state() == ResourceState.NACKED));

    String table = meshctl("proxy-status", "--control-plane", controlPlane.target(), "--instances", admin);
    assertThat(table).contains("NACKED (").contains("CLUSTER_PROVIDED");

    String detail = meshctl("proxy-status", "--control-plane", controlPlane.target(), admin);
    assertThat(detail).contains("TYPE").contains("catalog").contains("routes").contains(TARGET)
        .contains("NACKED (");
  }

  @Test
  void anInstanceThatCannotBeReachedIsARowNotACrash() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    String table = meshctl("proxy-status", "--control-plane", controlPlane.target(), "--instances",
        admin + ",127.0.0.1:" + closed);

    assertThat(table.lines().toList()).hasSize(3);
    assertThat(table.lines().toList().get(2)).startsWith("127.0.0.1:" + closed).contains("ERROR (");
  }
}

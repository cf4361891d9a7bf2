package io.mesh4j.runtime.admin;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedHttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin endpoint over real HTTP: Prometheus text, Envoy's config_dump, the status view and readiness. */
class AdminEndpointIntegrationTest {
  private static final String TARGET = "catalog.mesh:8080";

  private LoopbackControlPlane controlPlane;
  private NamedHttpServer server;
  private Mesh mesh;
  private final OkHttpClient plain = new OkHttpClient();

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    server = NamedHttpServer.start("v1");
    controlPlane.setSnapshot("7", List.of(apiListener(TARGET, "catalog-routes")),
        List.of(routeConfig("catalog-routes", TARGET, "catalog-v1")), List.of(edsCluster("catalog-v1")),
        List.of(cla("catalog-v1", server.hostPort())));
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    controlPlane.close();
    server.close();
  }

  private String get(String path, int status) throws IOException {
    InetSocketAddress admin = mesh.adminAddress().orElseThrow();
    assertThat(admin.getAddress().isLoopbackAddress()).isTrue();
    try (Response response = plain.newCall(new Request.Builder()
        .url("http://127.0.0.1:" + admin.getPort() + path).build()).execute()) {
      assertThat(response.code()).as(path).isEqualTo(status);
      return response.body().string();
    }
  }

  private void callThroughTheMesh() throws IOException {
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();
    try (Response response = client.newCall(new Request.Builder().url("http://" + TARGET + "/").build()).execute()) {
      assertThat(response.body().string()).isEqualTo("v1");
    }
  }

  @Test
  void withoutAnApplicationRegistryTheEndpointKeepsItsOwnPrometheusRegistry() throws IOException {
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).adminPort(0).build();
    callThroughTheMesh();
    callThroughTheMesh();

    String text = get("/stats/prometheus", 200);
    assertThat(text).containsPattern("istio_requests_total\\{[^}]*destination_service=\"catalog-v1\"[^}]*"
        + "reporter=\"source\"[^}]*response_code=\"200\"[^}]*} 2.0");
    assertThat(text).contains("istio_request_duration_milliseconds_bucket{");
    assertThat(text).containsPattern("grpc_xds_client_resources\\{[^}]*grpc_xds_cache_state=\"acked\"[^}]*"
        + "grpc_xds_resource_type=\"type.googleapis.com/envoy.config.cluster.v3.Cluster\"[^}]*} 1");
  }

  @Test
  void withAnotherRegistryTheMeshRecordsIntoBothAndServesItsOwn() throws IOException {
    SimpleMeterRegistry application = new SimpleMeterRegistry();
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).meterRegistry(application).adminPort(0)
        .build();
    callThroughTheMesh();

    assertThat(application.get("istio_requests").tag("response_code", "200").counter().count()).isEqualTo(1);
    assertThat(get("/stats/prometheus", 200)).containsPattern("istio_requests_total\\{[^}]*} 1.0");
  }

  @Test
  void configDumpStatusAndReadinessDescribeTheConfig() throws IOException {
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).adminPort(0).build();
    callThroughTheMesh();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      try (Response r = plain.newCall(new Request.Builder().url("http://127.0.0.1:"
          + mesh.adminAddress().orElseThrow().getPort() + "/healthz/ready").build()).execute()) {
        return r.code() == 200;
      }
    });

    String dump = get("/config_dump", 200);
    assertThat(dump).contains("\"@type\": \"type.googleapis.com/envoy.admin.v3.BootstrapConfigDump\"")
        .contains("\"@type\": \"type.googleapis.com/envoy.admin.v3.ListenersConfigDump\"")
        .contains("\"@type\": \"type.googleapis.com/envoy.admin.v3.ClustersConfigDump\"")
        .contains("\"@type\": \"type.googleapis.com/envoy.admin.v3.RoutesConfigDump\"")
        .contains("\"@type\": \"type.googleapis.com/envoy.admin.v3.EndpointsConfigDump\"")
        .contains("\"id\": \"test-node\"")
        .contains("\"name\": \"" + TARGET + "\"")
        .contains("\"versionInfo\": \"7\"")
        .contains("\"clientStatus\": \"ACKED\"")
        .contains("\"name\": \"catalog-v1\"");

    String status = get("/status", 200);
    assertThat(status).isEqualTo(mesh.status().toJson());
    assertThat(status).contains("catalog-routes").contains("ACKED");

    get("/nowhere", 404);
  }

  @Test
  void offUnlessAskedAndThenNothingIsRecorded() {
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).build();
    assertThat(mesh.adminAddress()).isEmpty();
    // Nothing observes requests: the transports see no recorder and note nothing.
    assertThat(io.mesh4j.runtime.MeshInternals.of(mesh).engine().metrics()).isNull();
    assertThat(io.mesh4j.runtime.MeshInternals.of(mesh).metrics()).isNull();
  }
}

package io.mesh4j.runtime.metrics;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedHttpServer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gRFC A78's xDS client metrics from a real control plane: updates valid and invalid, connection, failures. */
class XdsClientMetricsIntegrationTest {
  private static final String TARGET = "catalog.mesh:8080";
  private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private LoopbackControlPlane controlPlane;
  private NamedHttpServer server;
  private Mesh mesh;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    server = NamedHttpServer.start("v1");
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

  private RequiredSearch cds(String name) {
    return registry.get(name).tag("grpc.xds.resource_type", CDS);
  }

  @Test
  void countsValidAndInvalidUpdatesTheConnectionAndAnOutage() throws IOException {
    serve("1", edsCluster("catalog"));
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT).meterRegistry(registry)
        .build();
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();
    try (Response response = client.newCall(new Request.Builder().url("http://" + TARGET + "/").build()).execute()) {
      assertThat(response.body().string()).isEqualTo("v1");
    }
    assertThat(cds("grpc.xds_client.resource_updates_valid").functionCounter().count()).isEqualTo(1);
    assertThat(registry.get("grpc.xds_client.connected").gauge().value()).isEqualTo(1);
    assertThat(cds("grpc.xds_client.resources").tag("grpc.xds.cache_state", "acked").gauge().value()).isEqualTo(1);

    serve("2", edsCluster("catalog").toBuilder().setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).build());
    await().atMost(WAIT).until(() -> cds("grpc.xds_client.resource_updates_invalid").functionCounter().count() == 1);
    assertThat(cds("grpc.xds_client.resources").tag("grpc.xds.cache_state", "nacked_but_cached").gauge().value()).isEqualTo(1);

    controlPlane.stop();
    await().atMost(WAIT).until(() -> registry.find("grpc.xds_client.server_failure").functionCounter() != null
        && registry.get("grpc.xds_client.server_failure").functionCounter().count() == 1);
    assertThat(registry.get("grpc.xds_client.connected").gauge().value()).isZero();
  }
}

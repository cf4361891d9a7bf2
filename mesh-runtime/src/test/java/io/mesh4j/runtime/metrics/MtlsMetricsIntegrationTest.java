package io.mesh4j.runtime.metrics;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.MtlsHttpServer;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Over mutual TLS the principals come from the certificates; the workload certificate's expiry and rotations. */
class MtlsMetricsIntegrationTest {
  private static final String NS = "spiffe://cluster.local/ns/shop/sa/";
  private static final String TARGET = "catalog.mesh:8080";

  @TempDir Path certs;
  private final TestPki.Ca root = TestPki.root("root-a");
  private LoopbackControlPlane controlPlane;
  private MtlsHttpServer catalog;
  private Mesh mesh;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    root.leaf(NS + "frontend").writeIstioFiles(certs, root.certificate());
    catalog = MtlsHttpServer.start("catalog", root.leaf(NS + "catalog"), root.certificate());
    Cluster cluster = TlsResources.tlsCluster("outbound|8080||catalog.shop.svc.cluster.local",
        TlsResources.istioMtls("default", "", NS + "catalog"));
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "routes")),
        List.of(routeConfig("routes", TARGET, cluster.getName())), List.of(cluster),
        List.of(cla(cluster.getName(), catalog.hostPort())));
    mesh = Mesh.builder()
        .bootstrapJson(TlsResources.withFileWatcher(controlPlane.bootstrapJson(), "default", certs, "1s"))
        .listenerWait(Duration.ofSeconds(60)).meterRegistry(registry).build();
  }

  @AfterEach
  void stop() {
    mesh.close();
    catalog.close();
    controlPlane.close();
  }

  @Test
  void principalsAreTheSpiffeIdsOfBothCertificates() throws IOException {
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();
    try (Response response = client.newCall(new Request.Builder().url("http://" + TARGET + "/").build()).execute()) {
      assertThat(response.body().string()).isEqualTo("catalog");
    }

    assertThat(registry.get("istio_requests")
        .tags("source_principal", "cluster.local/ns/shop/sa/frontend",
            "destination_principal", "cluster.local/ns/shop/sa/catalog",
            "response_code", "200", "connection_security_policy", "unknown")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void theCertificatesExpiryIsAGaugeAndARotationIsCounted() {
    await().atMost(Duration.ofSeconds(60)).until(() ->
        registry.get("mesh4j_certificate_expiry_seconds").tag("provider", "default").gauge().value() > 0);
    double rotations = registry.get("mesh4j_certificate_rotations").tag("provider", "default").functionCounter()
        .count();
    assertThat(rotations).isZero();

    root.leaf(NS + "frontend").writeIstioFiles(certs, root.certificate());

    await().atMost(Duration.ofSeconds(60)).until(() ->
        registry.get("mesh4j_certificate_rotations").tag("provider", "default").functionCounter().count() == 1);
  }
}

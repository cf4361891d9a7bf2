package io.mesh4j.runtime.metrics;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.BehavingHttpServer;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Outlier detection's meters from a real ejection: one of two endpoints answers 500, consecutive_5xx 2 ejects it
 * (for the default 30 s), and the cluster's active gauge and enforced-ejections counter say so.
 */
class OutlierEjectionMetricsIntegrationTest {
  private static final String TARGET = "catalog.mesh:8080";
  private static final String CLUSTER = "catalog";

  private LoopbackControlPlane controlPlane;
  private BehavingHttpServer bad;
  private BehavingHttpServer good;
  private Mesh mesh;
  private OkHttpClient client;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    bad = BehavingHttpServer.start("bad", "status-500");
    good = BehavingHttpServer.start("good", "ok");
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "catalog-routes")),
        List.of(routeConfig("catalog-routes", TARGET, CLUSTER)),
        List.of(edsCluster(CLUSTER).toBuilder().setOutlierDetection(OutlierDetection.newBuilder()
            .setConsecutive5Xx(UInt32Value.of(2)).setMaxEjectionPercent(UInt32Value.of(50))).build()),
        List.of(cla(CLUSTER, bad.hostPort(), good.hostPort())));
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    controlPlane.close();
    bad.close();
    good.close();
  }

  private void startMesh(MeterRegistry registry) {
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(Duration.ofSeconds(10))
        .meterRegistry(registry).build();
    client = mesh.okHttp(new OkHttpClient.Builder()).build();
  }

  private void call() throws IOException {
    try (Response response = client.newCall(new Request.Builder().url("http://" + TARGET + "/items").build())
        .execute()) {
      response.body().string();
    }
  }

  /** Calls until the bad endpoint has failed twice in a row (its ejection), then ten more that must avoid it. */
  private void ejectTheBadEndpoint() throws IOException {
    for (int i = 0; i < 100 && bad.requests() < 2; i++) {
      call();
    }
    assertThat(bad.requests()).isEqualTo(2);
    for (int i = 0; i < 10; i++) {
      call();
    }
    assertThat(bad.requests()).as("ejected: no more traffic").isEqualTo(2);
  }

  @Test
  void anEnforcedEjectionIsCountedOnceAndShownActive() throws IOException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    startMesh(registry);
    call();
    assertThat(registry.get("envoy_cluster_outlier_detection_ejections_enforced").tag("cluster_name", CLUSTER)
        .functionCounter().count()).isZero();

    ejectTheBadEndpoint();

    assertThat(registry.get("envoy_cluster_outlier_detection_ejections_enforced").tag("cluster_name", CLUSTER)
        .functionCounter().count()).isEqualTo(1);
    assertThat(registry.get("envoy_cluster_outlier_detection_ejections_active").tag("cluster_name", CLUSTER)
        .gauge().value()).isEqualTo(1);
    assertThat(registry.get("envoy_cluster_membership_healthy").tag("cluster_name", CLUSTER).gauge().value())
        .isEqualTo(1);
  }

  @Test
  void prometheusTextNamesTheCounterAsEnvoysEjectionsEnforcedTotal() throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    startMesh(registry);

    ejectTheBadEndpoint();

    String text = registry.scrape();
    assertThat(text).contains("# TYPE envoy_cluster_outlier_detection_ejections_enforced_total counter")
        .contains("envoy_cluster_outlier_detection_ejections_enforced_total{cluster_name=\"" + CLUSTER + "\"} 1.0")
        .contains("envoy_cluster_outlier_detection_ejections_active{cluster_name=\"" + CLUSTER + "\"} 1.0");
  }
}

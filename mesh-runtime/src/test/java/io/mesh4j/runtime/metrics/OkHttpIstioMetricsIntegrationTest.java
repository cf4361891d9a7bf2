package io.mesh4j.runtime.metrics;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mesh4j.Mesh;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.testing.BehavingHttpServer;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Istio's request metrics and Envoy's router counters from real OkHttp calls routed by a real control plane. */
class OkHttpIstioMetricsIntegrationTest {
  private static final String TARGET = "catalog.shop.svc.cluster.local:8080";
  private static final String CLUSTER = "outbound|8080|v1|catalog.shop.svc.cluster.local";
  private static final String WORKLOAD = "catalog-v1;shop;catalog;v1;Kubernetes";

  private LoopbackControlPlane controlPlane;
  private BehavingHttpServer server;
  private Mesh mesh;
  private OkHttpClient client;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    server = BehavingHttpServer.start("catalog");
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("catalog-routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("catalog").addDomains(TARGET)
            .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/items"))
                .setRoute(RouteAction.newBuilder().setCluster(CLUSTER)
                    .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("5xx")
                        .setNumRetries(UInt32Value.of(2))))))
        .build();
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "catalog-routes")), List.of(routes),
        List.of(edsCluster(CLUSTER)), List.of(IstioBootstrap.cla(CLUSTER, WORKLOAD, server.hostPort())));
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    controlPlane.close();
    server.close();
  }

  private void startMesh(io.micrometer.core.instrument.MeterRegistry registry) {
    mesh = Mesh.builder().bootstrapJson(IstioBootstrap.json(controlPlane)).listenerWait(Duration.ofSeconds(10))
        .meterRegistry(registry).build();
    client = mesh.okHttp(new OkHttpClient.Builder()).build();
  }

  private int call(String path, String behavior, String id) throws IOException {
    Request.Builder request = new Request.Builder().url("http://" + TARGET + path);
    if (behavior != null) {
      request.header("x-test-behavior", behavior).header("x-test-id", id);
    }
    try (Response response = client.newCall(request.build()).execute()) {
      response.body().string();
      return response.code();
    }
  }

  /** Istio's labels for a request this client made to catalog v1, with this outcome. */
  private static Map<String, String> labels(String code, String flags, boolean routed) {
    Map<String, String> labels = new TreeMap<>();
    labels.put("reporter", "source");
    labels.put("source_workload", "orders-v1");
    labels.put("source_workload_namespace", "shop");
    labels.put("source_principal", "unknown");
    labels.put("source_app", "orders");
    labels.put("source_version", "v1");
    labels.put("source_cluster", "Kubernetes");
    labels.put("destination_workload", routed ? "catalog-v1" : "unknown");
    labels.put("destination_workload_namespace", routed ? "shop" : "unknown");
    labels.put("destination_principal", "unknown");
    labels.put("destination_app", routed ? "catalog" : "unknown");
    labels.put("destination_version", routed ? "v1" : "unknown");
    labels.put("destination_service", routed ? "catalog.shop.svc.cluster.local" : "unknown");
    labels.put("destination_service_name", routed ? "catalog" : "unknown");
    labels.put("destination_service_namespace", routed ? "shop" : "unknown");
    labels.put("destination_cluster", routed ? "Kubernetes" : "unknown");
    labels.put("request_protocol", "http");
    labels.put("response_code", code);
    labels.put("grpc_response_status", "");
    labels.put("response_flags", flags);
    labels.put("connection_security_policy", "unknown");
    return labels;
  }

  private static String[] tags(Map<String, String> labels) {
    return labels.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
        .toArray(String[]::new);
  }

  @Test
  void everyRequestIsCountedWithIstiosFullLabelSetAndItsDurationAndSizes() throws IOException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    startMesh(registry);

    for (int i = 0; i < 3; i++) {
      assertThat(call("/items", null, null)).isEqualTo(200);
    }

    String[] ok = tags(labels("200", "-", true));
    Counter requests = registry.get("istio_requests").tags(ok).counter();
    assertThat(requests.count()).isEqualTo(3);
    assertThat(requests.getId().getTags()).hasSize(21);
    DistributionSummary duration = registry.get("istio_request_duration_milliseconds").tags(ok).summary();
    assertThat(duration.count()).isEqualTo(3);
    assertThat(duration.totalAmount()).isPositive();
    DistributionSummary responseBytes = registry.get("istio_response_bytes").tags(ok).summary();
    assertThat(responseBytes.totalAmount()).isEqualTo(3 * "catalog".length());
    assertThat(registry.get("istio_request_bytes").tags(ok).summary().count()).isEqualTo(3);
  }

  @Test
  void retriesAreCountedAndAResponseAfterTheLastRetryIsFlaggedUrx() throws IOException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    startMesh(registry);

    assertThat(call("/items", "succeed-on-attempt-2", "a")).isEqualTo(200);
    assertThat(call("/items", "status-503", "b")).isEqualTo(503);

    assertThat(registry.get("istio_requests").tags(tags(labels("200", "-", true))).counter().count()).isEqualTo(1);
    assertThat(registry.get("istio_requests").tags(tags(labels("503", "URX", true))).counter().count())
        .isEqualTo(1);
    assertThat(registry.get("envoy_cluster_upstream_rq_retry").tag("cluster_name", CLUSTER).counter().count())
        .isEqualTo(3); // one for the first request, two for the second
    assertThat(registry.get("envoy_cluster_upstream_rq_retry_success").tag("cluster_name", CLUSTER).counter()
        .count()).isEqualTo(1);
  }

  @Test
  void aRequestNoRouteMatchesIsALocalReplyWith404NrAndAnUnknownDestination() throws IOException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    startMesh(registry);

    assertThatThrownBy(() -> call("/elsewhere", null, null)).isInstanceOf(MeshRoutingException.class);

    assertThat(registry.get("istio_requests").tags(tags(labels("404", "NR", false))).counter().count())
        .isEqualTo(1);
    assertThat(registry.get("mesh4j_local_replies").tag("reason", "NR").counter().count()).isEqualTo(1);
  }

  @Test
  void aPrometheusRegistryShowsIstiosNamesAndBuckets() throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    startMesh(registry);

    assertThat(call("/items", null, null)).isEqualTo(200);
    assertThat(call("/items", null, null)).isEqualTo(200);

    String text = registry.scrape();
    assertThat(text).containsPattern("istio_requests_total\\{[^}]*destination_service=\"catalog.shop.svc.cluster."
        + "local\"[^}]*reporter=\"source\"[^}]*response_code=\"200\"[^}]*} 2.0");
    for (String bound : List.of("0.5", "1.0", "5.0", "10.0", "25.0", "50.0", "100.0", "250.0", "500.0", "1000.0",
        "2500.0", "5000.0", "10000.0", "30000.0", "60000.0", "300000.0", "600000.0", "1800000.0", "3600000.0",
        "+Inf")) {
      assertThat(text).contains("le=\"" + bound + "\"");
    }
    assertThat(text).containsPattern("istio_request_duration_milliseconds_bucket\\{[^}]*le=\"\\+Inf\"[^}]*} 2");
    assertThat(text).contains("envoy_cluster_membership_healthy{cluster_name=\"" + CLUSTER + "\"} 1");
    assertThat(text).contains("grpc_xds_client_connected{");
  }
}

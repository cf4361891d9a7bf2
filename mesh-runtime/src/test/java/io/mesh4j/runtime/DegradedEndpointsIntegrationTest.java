package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.v3.Percent;
import io.mesh4j.Mesh;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedHttpServer;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * EDS DEGRADED endpoints through a real control plane and real servers: they serve when nothing healthy is left, and
 * take nothing while healthy endpoints cover the priority's availability. The panic threshold is 0 so that panic
 * (which balances over every endpoint whatever its health) cannot be what makes degraded endpoints serve.
 */
class DegradedEndpointsIntegrationTest {
  private static final String TARGET = "catalog.mesh:8080";
  private static final String URL = "http://" + TARGET + "/items";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private LoopbackControlPlane controlPlane;
  private NamedHttpServer a;
  private NamedHttpServer b;
  private Mesh mesh;
  private OkHttpClient client;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    a = NamedHttpServer.start("a");
    b = NamedHttpServer.start("b");
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    controlPlane.close();
    a.close();
    b.close();
  }

  private void serve(String version, int overprovisioningFactor, HealthStatus healthA, HealthStatus healthB) {
    ClusterLoadAssignment cla = ClusterLoadAssignment.newBuilder().setClusterName("catalog")
        .addEndpoints(LocalityLbEndpoints.newBuilder()
            .addLbEndpoints(endpoint("127.0.0.1", a.port()).toBuilder().setHealthStatus(healthA))
            .addLbEndpoints(endpoint("127.0.0.1", b.port()).toBuilder().setHealthStatus(healthB)))
        .setPolicy(ClusterLoadAssignment.Policy.newBuilder()
            .setOverprovisioningFactor(UInt32Value.of(overprovisioningFactor)))
        .build();
    Cluster cluster = edsCluster("catalog").toBuilder().setCommonLbConfig(Cluster.CommonLbConfig.newBuilder()
        .setHealthyPanicThreshold(Percent.newBuilder().setValue(0))).build();
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("catalog-routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("catalog").addDomains(TARGET)
            .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setCluster("catalog"))))
        .build();
    controlPlane.setSnapshot(version, List.of(apiListener(TARGET, "catalog-routes")), List.of(routes),
        List.of(cluster), List.of(cla));
  }

  private void startMesh() {
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT)
        .outboundTrafficPolicy(OutboundTrafficPolicy.ALLOW_ANY).build();
    client = mesh.okHttp(new OkHttpClient.Builder()).build();
  }

  private String call() throws IOException {
    try (Response response = client.newCall(new Request.Builder().url(URL).build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      return response.body().string();
    }
  }

  private boolean fails() {
    try {
      call();
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private Map<String, Integer> counts(int n) throws IOException {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(call(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void allDegradedEndpointsServeWhereUnhealthyOnesWouldNot() throws IOException {
    serve("1", 140, HealthStatus.UNHEALTHY, HealthStatus.UNHEALTHY);
    startMesh();
    assertThatThrownBy(this::call)
        .isInstanceOfSatisfying(MeshRoutingException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NO_HEALTHY_UPSTREAM));

    serve("2", 140, HealthStatus.DEGRADED, HealthStatus.DEGRADED);
    await().atMost(WAIT).until(() -> !fails());
    // Round robin over the two degraded endpoints: exactly half each.
    assertThat(counts(20)).containsOnly(Map.entry("a", 10), Map.entry("b", 10));
  }

  @Test
  void aHealthyEndpointThatCoversAvailabilityTakesAllTheTraffic() throws IOException {
    // Factor 2.0: one healthy of two gives healthy availability 100, so the degraded endpoint gets no load.
    serve("1", 200, HealthStatus.HEALTHY, HealthStatus.DEGRADED);
    startMesh();
    assertThat(counts(30)).containsOnly(Map.entry("a", 30));

    // Factor 1.4: healthy availability 70, degraded 70 -> 70 % healthy, 30 % degraded: b now serves too.
    serve("2", 140, HealthStatus.HEALTHY, HealthStatus.DEGRADED);
    await().atMost(WAIT).until(() -> counts(50).containsKey("b"));
  }
}

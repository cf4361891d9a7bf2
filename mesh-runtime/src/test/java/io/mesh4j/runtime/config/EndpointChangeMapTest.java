package io.mesh4j.runtime.config;

import static io.mesh4j.runtime.testing.XdsResources.EDS;
import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Endpoint changes against a real control plane, as the assembler copies the served cluster map with only the
 * changed clusters' runtimes replaced instead of building it cluster by cluster: the change is followed, the other
 * runtimes are kept, a cluster followed by name shares the new runtime, and a cluster change still builds the map
 * anew.
 */
class EndpointChangeMapTest {
  private static final java.time.Duration WAIT = java.time.Duration.ofSeconds(30);
  private static final String TARGET = "svc:80";

  private final LoopbackAssembly loopback = LoopbackAssembly.start();
  private final LoopbackControlPlane controlPlane = loopback.controlPlane;
  private final ConfigAssembler assembler = loopback.assembler;

  @AfterEach
  void stop() {
    loopback.close();
  }

  /** Routes {@code /0}, {@code /1} and {@code /2} to c1, c2 and c3. */
  private static RouteConfiguration table() {
    VirtualHost.Builder host = VirtualHost.newBuilder().setName("svc").addDomains("*");
    for (int i = 1; i <= 3; i++) {
      host.addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/" + (i - 1)))
          .setRoute(RouteAction.newBuilder().setCluster("c" + i)));
    }
    return RouteConfiguration.newBuilder().setName("routes").addVirtualHosts(host).build();
  }

  private void serve(String version, Cluster c3, Map<String, String> endpoints) {
    controlPlane.setSnapshot(version, List.of(apiListener(TARGET, "routes")), List.of(table()),
        List.of(edsCluster("c1"), edsCluster("c2"), c3),
        List.of(assignment("c1", endpoints), assignment("c2", endpoints), assignment("c3", endpoints)));
  }

  private static ClusterLoadAssignment assignment(String cluster, Map<String, String> endpoints) {
    return cla(cluster, endpoints.get(cluster));
  }

  private Map<String, ClusterRuntime> served() {
    return ((TargetConfig.Routed) assembler.snapshot().target(TARGET)).clusters();
  }

  @Test
  void anEndpointChangeReplacesOnlyItsClustersRuntimeAndAClusterChangeStillBuildsTheMap() throws Exception {
    Map<String, String> endpoints = Map.of("c1", "127.0.0.1:1001", "c2", "127.0.0.1:1002", "c3", "127.0.0.1:1003");
    serve("1", edsCluster("c3"), endpoints);
    assembler.subscribe(TARGET).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    ClusterTarget byName = assembler.subscribeCluster("c2").get(WAIT.toSeconds(), TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> loopback.lastRequestedNames(EDS).equals(Set.of("c1", "c2", "c3")));
    Map<String, ClusterRuntime> before = served();
    assertThat(byName.runtime()).isSameAs(before.get("c2"));
    long mapsBuilt = assembler.clusterMapsBuilt();
    long runtimesBuilt = assembler.clusterRuntimesBuilt();

    // c2's endpoint moves: its runtime is replaced in a copy of the map, the others are kept.
    serve("2", edsCluster("c3"), Map.of("c1", "127.0.0.1:1001", "c2", "127.0.0.1:2002", "c3", "127.0.0.1:1003"));
    await().atMost(WAIT).until(() -> LoopbackAssembly.hostPorts(served().get("c2")).equals(List.of("127.0.0.1:2002")));
    Map<String, ClusterRuntime> afterOne = served();
    assertThat(afterOne).isNotSameAs(before).containsOnlyKeys("c1", "c2", "c3");
    assertThat(afterOne.get("c1")).isSameAs(before.get("c1"));
    assertThat(afterOne.get("c3")).isSameAs(before.get("c3"));
    assertThat(assembler.clusterRuntimesBuilt() - runtimesBuilt).as("runtimes built").isEqualTo(1);
    assertThat(assembler.clusterMapsBuilt()).as("maps built cluster by cluster").isEqualTo(mapsBuilt);
    // The cluster followed by name shares the route's runtime: one set of breakers and outlier state.
    await().atMost(WAIT).until(() -> assembler.snapshot().clusterTarget("c2").runtime() == served().get("c2"));

    // Then c1's and c3's at once: both replaced in one more copy.
    serve("3", edsCluster("c3"), Map.of("c1", "127.0.0.1:3001", "c2", "127.0.0.1:2002", "c3", "127.0.0.1:3003"));
    await().atMost(WAIT).until(() -> LoopbackAssembly.hostPorts(served().get("c1")).equals(List.of("127.0.0.1:3001"))
        && LoopbackAssembly.hostPorts(served().get("c3")).equals(List.of("127.0.0.1:3003")));
    assertThat(served().get("c2")).isSameAs(afterOne.get("c2"));
    assertThat(assembler.clusterMapsBuilt()).as("maps built cluster by cluster").isEqualTo(mapsBuilt);
    assertThat(loopback.lastRequestedNames(EDS)).containsExactlyInAnyOrder("c1", "c2", "c3");

    // A cluster change (c3's connect timeout) builds the map cluster by cluster, and the endpoints stay followed.
    Cluster c3 = edsCluster("c3").toBuilder().setConnectTimeout(Duration.newBuilder().setSeconds(3)).build();
    Map<String, ClusterRuntime> beforeClusterChange = served();
    serve("4", c3, Map.of("c1", "127.0.0.1:3001", "c2", "127.0.0.1:2002", "c3", "127.0.0.1:3003"));
    await().atMost(WAIT).until(() -> served().get("c3") != beforeClusterChange.get("c3"));
    assertThat(assembler.clusterMapsBuilt()).as("maps built cluster by cluster").isGreaterThan(mapsBuilt);
    assertThat(served().get("c3").cluster().connectTimeout()).isEqualTo(java.time.Duration.ofSeconds(3));
    serve("5", c3, Map.of("c1", "127.0.0.1:3001", "c2", "127.0.0.1:5002", "c3", "127.0.0.1:3003"));
    await().atMost(WAIT).until(() -> LoopbackAssembly.hostPorts(served().get("c2")).equals(List.of("127.0.0.1:5002")));
    assertThat(served().get("c3").cluster().connectTimeout()).isEqualTo(java.time.Duration.ofSeconds(3));
    assertThat(loopback.lastRequestedNames(EDS)).containsExactlyInAnyOrder("c1", "c2", "c3");
  }
}

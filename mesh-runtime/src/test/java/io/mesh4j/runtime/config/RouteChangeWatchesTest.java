package io.mesh4j.runtime.config;

import static io.mesh4j.runtime.testing.XdsResources.CDS;
import static io.mesh4j.runtime.testing.XdsResources.EDS;
import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.mesh4j.runtime.route.RouteTable;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.view.InMemoryRequest;
import io.mesh4j.runtime.xds.XdsClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Route changes against a real control plane, as the assembler passes over what they cannot change: a new table
 * naming the same clusters keeps the cluster map (same runtimes, nothing rebuilt) and the watches, while a table
 * naming a new cluster still subscribes it and one that stops naming a cluster still releases it, and an endpoint
 * change after a reused map is still followed.
 */
class RouteChangeWatchesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TARGET = "svc:80";

  private final LoopbackAssembly loopback = LoopbackAssembly.start();
  private final LoopbackControlPlane controlPlane = loopback.controlPlane;
  private final XdsClient xds = loopback.xds;
  private final ConfigAssembler assembler = loopback.assembler;

  @AfterEach
  void stop() {
    loopback.close();
  }

  /** One virtual host whose routes {@code /0}, {@code /1}, ... go to {@code clusters} in order. */
  private static RouteConfiguration table(String... clusters) {
    VirtualHost.Builder host = VirtualHost.newBuilder().setName("svc").addDomains("*");
    for (int i = 0; i < clusters.length; i++) {
      host.addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/" + i))
          .setRoute(RouteAction.newBuilder().setCluster(clusters[i])));
    }
    return RouteConfiguration.newBuilder().setName("routes").addVirtualHosts(host).build();
  }

  /** The table, with c1, c2 and c3 all served (c3 on its own port, c2 on {@code c2Endpoint}). */
  private void serve(String version, RouteConfiguration table, String c2Endpoint) {
    controlPlane.setSnapshot(version, List.of(apiListener(TARGET, "routes")), List.of(table),
        List.of(edsCluster("c1"), edsCluster("c2"), edsCluster("c3")),
        List.of(cla("c1", "127.0.0.1:1001"), cla("c2", c2Endpoint), cla("c3", "127.0.0.1:1003")));
  }

  private TargetConfig.Routed routed() {
    return (TargetConfig.Routed) assembler.snapshot().target(TARGET);
  }

  private static String clusterOf(RouteTable table, String path) {
    return table.select(InMemoryRequest.get(TARGET, path), 0).action().selectCluster(0);
  }

  @Test
  void aTableNamingTheSameClustersKeepsTheirMapAndWatchesAndANewOrDroppedClusterIsStillSyncedAfterIt()
      throws Exception {
    serve("1", table("c1", "c2"), "127.0.0.1:1002");
    assembler.subscribe(TARGET).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> loopback.lastRequestedNames(EDS).equals(Set.of("c1", "c2")));
    TargetConfig.Routed before = routed();
    assertThat(before.clusters()).containsOnlyKeys("c1", "c2");
    assertThat(loopback.lastRequestedNames(CDS)).containsExactlyInAnyOrder("c1", "c2");
    long built = assembler.clusterRuntimesBuilt();
    int cdsRequests = controlPlane.requests(CDS).size();
    int edsRequests = controlPlane.requests(EDS).size();

    // /0 moves to c2; c1 stays named on /2: a new table naming the same clusters.
    serve("2", table("c2", "c2", "c1"), "127.0.0.1:1002");
    await().atMost(WAIT).until(() -> clusterOf(routed().routes(), "/0").equals("c2"));
    assertThat(routed().routes()).isNotSameAs(before.routes());
    assertThat(routed().clusters()).as("the same map, its runtimes not rebuilt").isSameAs(before.clusters());
    assertThat(assembler.clusterRuntimesBuilt()).isEqualTo(built);
    // Version 2 resends CDS and EDS too, each ACKed once; a watch dropped and made again would add requests.
    assertThat(controlPlane.requests(CDS).size() - cdsRequests).as("CDS requests").isLessThanOrEqualTo(1);
    assertThat(loopback.lastRequestedNames(CDS)).containsExactlyInAnyOrder("c1", "c2");
    assertThat(controlPlane.requests(EDS).size() - edsRequests).as("EDS requests").isLessThanOrEqualTo(1);
    assertThat(loopback.lastRequestedNames(EDS)).containsExactlyInAnyOrder("c1", "c2");

    // An endpoint change after the map was reused is followed.
    serve("3", table("c2", "c2", "c1"), "127.0.0.1:2002");
    await().atMost(WAIT).until(() -> LoopbackAssembly.hostPorts(routed().clusters().get("c2")).equals(List.of("127.0.0.1:2002")));
    assertThat(routed().clusters().get("c1")).isSameAs(before.clusters().get("c1"));

    // c1 leaves for c3: c3 is subscribed, c1 released, on both types.
    serve("4", table("c2", "c3"), "127.0.0.1:2002");
    await().atMost(WAIT).until(() -> routed().clusters().keySet().equals(Set.of("c2", "c3")));
    await().atMost(WAIT).until(() -> loopback.lastRequestedNames(CDS).equals(Set.of("c2", "c3")));
    await().atMost(WAIT).until(() -> loopback.lastRequestedNames(EDS).equals(Set.of("c2", "c3")));
    assertThat(clusterOf(routed().routes(), "/1")).isEqualTo("c3");
    assertThat(LoopbackAssembly.hostPorts(routed().clusters().get("c3"))).containsExactly("127.0.0.1:1003");
  }
}

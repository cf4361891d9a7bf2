package io.mesh4j.runtime.config;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.xds.XdsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A large mesh pushed at once, as istiod shapes it (every target's listener names one route table of all virtual
 * hosts, each route its own cluster): every target routes, one endpoint change builds one cluster runtime and leaves
 * every other cluster's the same object, and endpoint churn leaves the assembler's maps bounded. Counts and structure
 * only; the times are in {@code benchmarks/ScaleBenchmark}.
 */
class ScaleIntegrationTest {
  private static final int VHOSTS = Integer.getInteger("mesh4j.scale.vhosts", 50);
  private static final int CLUSTERS_PER_VHOST = 10;
  private static final int ENDPOINTS = 10;
  private static final int CHURN = Integer.getInteger("mesh4j.scale.churn", 60);
  private static final Duration WAIT = Duration.ofSeconds(120);

  private final LoopbackAssembly loopback = LoopbackAssembly.start();
  private final LoopbackControlPlane controlPlane = loopback.controlPlane;
  private final XdsClient xds = loopback.xds;
  private final ConfigAssembler assembler = loopback.assembler;
  private int version;

  @AfterEach
  void stop() {
    loopback.close();
  }

  static String target(int vhost) {
    return "svc-" + vhost + ".scale:80";
  }

  static String cluster(int vhost, int route) {
    return "c-" + vhost + "-" + route;
  }

  static RouteConfiguration routes() {
    RouteConfiguration.Builder config = RouteConfiguration.newBuilder().setName("80");
    for (int v = 0; v < VHOSTS; v++) {
      VirtualHost.Builder vhost = VirtualHost.newBuilder().setName("vh-" + v).addDomains(target(v));
      for (int r = 0; r < CLUSTERS_PER_VHOST; r++) {
        vhost.addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/r" + r))
            .setRoute(RouteAction.newBuilder().setCluster(cluster(v, r))));
      }
      config.addVirtualHosts(vhost);
    }
    return config.build();
  }

  static ClusterLoadAssignment assignment(String cluster, int endpoints, int firstPort) {
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    for (int e = 0; e < endpoints; e++) {
      locality.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(
          Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("127.0.0." + (1 + e % 250))
              .setPortValue(firstPort + e)))));
    }
    return ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(locality).build();
  }

  /** Pushes the whole mesh, with {@code changed} replacing the assignment of its cluster. */
  private void push(ClusterLoadAssignment changed) {
    List<Listener> listeners = new ArrayList<>();
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> assignments = new ArrayList<>();
    for (int v = 0; v < VHOSTS; v++) {
      listeners.add(apiListener(target(v), "80"));
      for (int r = 0; r < CLUSTERS_PER_VHOST; r++) {
        clusters.add(edsCluster(cluster(v, r)));
        assignments.add(changed != null && changed.getClusterName().equals(cluster(v, r))
            ? changed : assignment(cluster(v, r), ENDPOINTS, 10_000));
      }
    }
    controlPlane.setSnapshot(Integer.toString(++version), listeners, List.of(routes()), clusters, assignments);
  }

  private TargetConfig.Routed routed(int vhost) {
    return (TargetConfig.Routed) assembler.snapshot().target(target(vhost));
  }

  private void subscribeAll() {
    List<CompletableFuture<TargetConfig>> waits = new ArrayList<>();
    for (int v = 0; v < VHOSTS; v++) {
      waits.add(assembler.subscribe(target(v)));
    }
    waits.forEach(CompletableFuture::join);
  }

  @Test
  void aLargePushRoutesEveryTargetAndOneEndpointChangeBuildsOneClusterRuntime() {
    push(null);
    subscribeAll();
    int clusters = VHOSTS * CLUSTERS_PER_VHOST;
    for (int v = 0; v < VHOSTS; v++) {
      assertThat(assembler.snapshot().target(target(v))).isInstanceOf(TargetConfig.Routed.class);
      assertThat(routed(v).clusters().size()).isEqualTo(clusters);
    }
    // Targets sharing the route table share one map of its clusters.
    assertThat(routed(VHOSTS - 1).clusters() == routed(0).clusters()).as("one shared map").isTrue();
    ClusterRuntime last = routed(0).clusters().get(cluster(VHOSTS - 1, CLUSTERS_PER_VHOST - 1));
    assertThat(last.endpoints().localities().get(0).endpoints()).hasSize(ENDPOINTS);
    assertThat(last.acquire(false, 0)).isNotNull();
    assertThat(assembler.clusterRuntimesBuilt()).isEqualTo(clusters);

    Map<String, ClusterRuntime> before = new HashMap<>(routed(0).clusters());
    long built = assembler.clusterRuntimesBuilt();
    String changed = cluster(VHOSTS / 2, 3);
    push(assignment(changed, ENDPOINTS + 1, 10_000));
    await().atMost(WAIT).until(() -> routed(0).clusters().get(changed).endpoints().localities().get(0).endpoints()
        .size() == ENDPOINTS + 1);

    assertThat(assembler.clusterRuntimesBuilt() - built).isEqualTo(1);
    Map<String, ClusterRuntime> after = routed(0).clusters();
    for (Map.Entry<String, ClusterRuntime> entry : before.entrySet()) {
      if (!entry.getKey().equals(changed)) {
        assertThat(after.get(entry.getKey()) == entry.getValue()).as(entry.getKey() + " kept").isTrue();
      }
    }
  }

  @Test
  void aLargePushIsReconciledOncePerResponseNotPerResource() {
    push(null);
    subscribeAll();
    int clusters = VHOSTS * CLUSTERS_PER_VHOST;
    // Every resource of a response reaches its watcher separately (clusters and endpoints: 2 x 500 here); the assembler
    // reconciles after the response's last one. The one slack allows for a subscribing target's listener arriving in
    // a delivery of its own.
    int responses = controlPlane.responses().size();
    assertThat(assembler.reconciles()).as("reconciles for %s responses of %s clusters", responses, clusters)
        .isLessThanOrEqualTo(responses + 1);
  }

  @Test
  void droppingEveryClusterButOneSendsOneRequestNotOnePerCluster() {
    push(null);
    subscribeAll();
    String cds = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    int before = controlPlane.requests(cds).size();
    // Every route of every host now goes to one cluster: the other 499 are unwatched at once.
    RouteConfiguration.Builder oneCluster = routes().toBuilder();
    for (int v = 0; v < VHOSTS; v++) {
      VirtualHost.Builder vhost = oneCluster.getVirtualHostsBuilder(v);
      for (int r = 0; r < CLUSTERS_PER_VHOST; r++) {
        vhost.getRoutesBuilder(r).getRouteBuilder().setCluster(cluster(0, 0));
      }
    }
    List<Listener> listeners = new ArrayList<>();
    for (int v = 0; v < VHOSTS; v++) {
      listeners.add(apiListener(target(v), "80"));
    }
    controlPlane.setSnapshot(Integer.toString(++version), listeners, List.of(oneCluster.build()),
        List.of(edsCluster(cluster(0, 0))), List.of(assignment(cluster(0, 0), ENDPOINTS, 10_000)));
    await().atMost(WAIT).until(() -> {
      DiscoveryRequest last = controlPlane.lastRequest(cds);
      return last != null && last.getResourceNamesCount() == 1;
    });
    // The unsubscriptions of one reconcile go out together (one request, then its ACK), not one request each naming
    // every cluster still watched (quadratic for the client, the wire and the control plane).
    assertThat(controlPlane.requests(cds).size() - before).isLessThanOrEqualTo(4);
    assertThat(routed(0).clusters()).containsOnlyKeys(cluster(0, 0));
  }

  @Test
  void endpointChurnLeavesTheMapsBounded() {
    push(null);
    subscribeAll();
    String churned = cluster(0, 0);
    int clusters = VHOSTS * CLUSTERS_PER_VHOST;
    for (int i = 1; i <= CHURN; i++) {
      // Each cycle adds a new endpoint (a new port: a new host) and removes the one the previous cycle added.
      int port = 20_000 + i;
      ClusterLoadAssignment next = assignment(churned, ENDPOINTS, 10_000).toBuilder()
          .setEndpoints(0, assignment(churned, ENDPOINTS, 10_000).getEndpoints(0).toBuilder()
              .addLbEndpoints(assignment(churned, 1, port).getEndpoints(0).getLbEndpoints(0)))
          .build();
      push(next);
      await().atMost(WAIT).until(() -> hasPort(routed(0).clusters().get(churned), port));
    }
    ClusterRuntime runtime = routed(0).clusters().get(churned);
    assertThat(runtime.trackedEndpoints()).isEqualTo(ENDPOINTS + 1);
    assertThat(routed(0).clusters().size()).isEqualTo(clusters);
    assertThat(assembler.snapshot().targets()).hasSize(VHOSTS);
    // One runtime per churn cycle for the churned cluster, none for the others.
    assertThat(assembler.clusterRuntimesBuilt()).isEqualTo(clusters + CHURN);
  }

  private static boolean hasPort(ClusterRuntime runtime, int port) {
    return runtime.endpoints().localities().get(0).endpoints().stream()
        .anyMatch(e -> e.hostPort().endsWith(":" + port));
  }
}

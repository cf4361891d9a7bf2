package io.mesh4j.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.model.LbPolicy;
import io.mesh4j.runtime.model.LoadBalancerConfig;
import io.mesh4j.runtime.model.LocalityEndpoints;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterRuntimeTest {
  private static final ClusterResource CLUSTER = new ClusterResource("catalog", "catalog");
  private static final ClusterResource NO_PANIC = new ClusterResource("catalog", "catalog",
      ClusterResource.DEFAULT_CONNECT_TIMEOUT, new LoadBalancerConfig(new LbPolicy.RoundRobin(), 0, false));

  private static LbEndpoint endpoint(int port, boolean healthy) {
    return new LbEndpoint("127.0.0.1", port, 1, healthy);
  }

  private static Set<Integer> picked(ClusterRuntime runtime, int n) {
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < n; i++) {
      ports.add(runtime.pick().port());
    }
    return ports;
  }

  @Test
  void unhealthyEndpointsTakeNoTraffic() {
    EndpointResource assignment = new EndpointResource("catalog", List.of(
        new LocalityEndpoints("r/z/s", 0, 0, List.of(endpoint(1, true), endpoint(2, false), endpoint(3, true)))));
    ClusterRuntime runtime = ClusterRuntime.build(CLUSTER, assignment, 0);
    assertThat(picked(runtime, 10)).containsExactlyInAnyOrder(1, 3);
    assertThat(runtime.activePriority()).isZero();
  }

  @Test
  void endpointsOfAllLocalitiesAtThePriorityShareTheTraffic() {
    EndpointResource assignment = new EndpointResource("catalog", List.of(
        new LocalityEndpoints("r/a/", 0, 0, List.of(endpoint(1, true))),
        new LocalityEndpoints("r/b/", 0, 0, List.of(endpoint(2, true)))));
    assertThat(picked(ClusterRuntime.build(CLUSTER, assignment, 0), 4)).containsExactlyInAnyOrder(1, 2);
  }

  @Test
  void trafficMovesToTheNextPriorityWhenNoEndpointOfTheFirstIsHealthy() {
    EndpointResource assignment = new EndpointResource("catalog", List.of(
        new LocalityEndpoints("r/a/", 0, 0, List.of(endpoint(1, false))),
        new LocalityEndpoints("r/b/", 0, 1, List.of(endpoint(2, true)))));
    ClusterRuntime runtime = ClusterRuntime.build(CLUSTER, assignment, 0);
    assertThat(picked(runtime, 4)).containsExactly(2);
    assertThat(runtime.activePriority()).isEqualTo(1);
  }

  @Test
  void noHealthyEndpointOrNoAssignmentPicksNothing() {
    EndpointResource allDown = new EndpointResource("catalog", List.of(
        new LocalityEndpoints("", 0, 0, List.of(endpoint(1, false)))));
    // Envoy's panic mode would send traffic to the unhealthy endpoint anyway; with panic disabled nothing is picked.
    assertThat(ClusterRuntime.build(NO_PANIC, allDown, 0).pick()).isNull();
    assertThat(ClusterRuntime.build(CLUSTER, allDown, 0).pick().port()).isEqualTo(1);
    assertThat(ClusterRuntime.build(CLUSTER, null, 0).pick()).isNull();
    assertThat(ClusterRuntime.build(CLUSTER, null, 0).activePriority()).isEqualTo(-1);
  }
}

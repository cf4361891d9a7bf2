package io.mesh4j.runtime.route;

import static io.mesh4j.runtime.route.RouteProtos.table;
import static io.mesh4j.runtime.route.RouteProtos.weighted;
import static io.mesh4j.runtime.route.RouteProtos.weightedRoute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.runtime.view.InMemoryRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Vectors 24-25 (weighted clusters); the decode-time rejections are in RouteConfigurationTypeTest. */
class WeightedClustersTest {

  private static WeightedClustersAction action(RouteTable table) {
    return (WeightedClustersAction) table.select(InMemoryRequest.get("h", "/"), 0).action();
  }

  @Test
  void selectsByRandomModuloTotalOverCumulativeWeights() { // vector 24
    RouteTable table = table(weightedRoute(weighted("a", 30), weighted("b", 30), weighted("c", 40)));
    WeightedClustersAction action = action(table);
    assertThat(action.totalWeight()).isEqualTo(100);
    assertThat(action.clusters())
        .containsExactly(
            new WeightedClustersAction.ClusterWeight("a", 30),
            new WeightedClustersAction.ClusterWeight("b", 30),
            new WeightedClustersAction.ClusterWeight("c", 40));
    assertThat(action.selectCluster(115)).isEqualTo("a");
    assertThat(action.selectCluster(445)).isEqualTo("b");
    assertThat(action.selectCluster(560)).isEqualTo("c");
    assertThat(action.selectCluster(29)).isEqualTo("a");
    assertThat(action.selectCluster(30)).isEqualTo("b");
    assertThat(action.selectCluster(99)).isEqualTo("c");
    assertThat(table.clusterNames()).containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void zeroWeightClustersAreNeverChosen() {
    WeightedClustersAction action = action(table(weightedRoute(weighted("a", 0), weighted("b", 1))));
    for (long r = 0; r < 10; r++) {
      assertThat(action.selectCluster(r)).isEqualTo("b");
    }
  }

  @Test
  void headerNameGivesTheDrawSoOneUserStaysOnOneVersion() {
    io.envoyproxy.envoy.config.route.v3.Route route = weightedRoute(weighted("v1", 90), weighted("v2", 10));
    route = route.toBuilder().setRoute(route.getRoute().toBuilder().setWeightedClusters(
        route.getRoute().getWeightedClusters().toBuilder().setHeaderName("X-Canary-Draw"))).build();
    WeightedClustersAction action = action(table(route));
    // 95 % 100 falls in v2's slice whatever the request's own draw; 42 in v1's.
    for (long own = 0; own < 100; own++) {
      assertThat(action.selectCluster(own, InMemoryRequest.get("h", "/").header("x-canary-draw", "95"))).isEqualTo("v2");
      assertThat(action.selectCluster(own, InMemoryRequest.get("h", "/").header("x-canary-draw", "42"))).isEqualTo("v1");
    }
    // Read as unsigned: 2^64-1 is 15 mod 100, in v1's slice (as a signed -1 it would not be a valid draw at all).
    assertThat(action.selectCluster(99, InMemoryRequest.get("h", "/").header("x-canary-draw", "18446744073709551615")))
        .isEqualTo("v1");
    // Absent, not a number, negative or repeated: the request's own draw, as Envoy falls back.
    assertThat(action.selectCluster(95, InMemoryRequest.get("h", "/"))).isEqualTo("v2");
    assertThat(action.selectCluster(5, InMemoryRequest.get("h", "/").header("x-canary-draw", "abc"))).isEqualTo("v1");
    assertThat(action.selectCluster(5, InMemoryRequest.get("h", "/").header("x-canary-draw", "-95"))).isEqualTo("v1");
    assertThat(action.selectCluster(5, InMemoryRequest.get("h", "/").header("x-canary-draw", "95").header("x-canary-draw", "1")))
        .isEqualTo("v1");
  }

  @Test
  void drawIsReadAsUnsigned() {
    WeightedClustersAction action = action(table(weightedRoute(weighted("a", 1), weighted("b", 2))));
    // 2^64 - 1 = 18446744073709551615, which is 0 mod 3
    assertThat(action.selectCluster(-1L)).isEqualTo("a");
  }

  @Test
  void totalIsTheSumAndMustBePositiveAndFitUint32() { // vector 25
    assertThat(WeightedClustersAction.of(List.of(new WeightedClustersAction.ClusterWeight("a", 0xFFFF_FFFFL)))
            .totalWeight())
        .isEqualTo(0xFFFF_FFFFL);
    assertThatThrownBy(() -> WeightedClustersAction.of(List.of(new WeightedClustersAction.ClusterWeight("a", 0))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                WeightedClustersAction.of(
                    List.of(
                        new WeightedClustersAction.ClusterWeight("a", 0xFFFF_FFFFL),
                        new WeightedClustersAction.ClusterWeight("b", 1))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WeightedClustersAction.of(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}

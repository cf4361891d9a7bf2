package io.mesh4j.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.runtime.model.LbEndpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinPickerTest {

  private static LbEndpoint endpoint(int port, int weight) {
    return new LbEndpoint("127.0.0.1", port, weight, true);
  }

  private static List<Integer> ports(EndpointPicker picker, int n) {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ports.add(picker.pick().port());
    }
    return ports;
  }

  @Test
  void equalWeightsRotateInOrderFromTheStart() {
    EndpointPicker picker = new WeightedRoundRobinPicker(List.of(endpoint(1, 5), endpoint(2, 5), endpoint(3, 5)), 1);
    assertThat(ports(picker, 6)).containsExactly(2, 3, 1, 2, 3, 1);
  }

  @Test
  void weightsAreSpreadSmoothlyOverOneCycle() {
    EndpointPicker picker = new WeightedRoundRobinPicker(List.of(endpoint(1, 3), endpoint(2, 1)), 0);
    // One cycle is 4 picks: three to the heavy endpoint, never the light one twice in a row.
    List<Integer> cycle = ports(picker, 4);
    assertThat(cycle).containsExactlyInAnyOrder(1, 1, 1, 2);
    assertThat(ports(picker, 8)).containsExactlyElementsOf(concat(cycle, cycle));
  }

  @Test
  void heavyWeightsKeepTheirExactProportionPerCycle() {
    EndpointPicker picker = new WeightedRoundRobinPicker(List.of(endpoint(1, 900), endpoint(2, 100)), 7);
    Map<Integer, Integer> counts = count(ports(picker, 1000));
    assertThat(counts).containsEntry(1, 900).containsEntry(2, 100);
  }

  @Test
  void weightSumsBeyondTheTableStayProportional() {
    // 5001 + 4999 reduces to itself (coprime), larger than the precomputed cycle.
    EndpointPicker picker = new WeightedRoundRobinPicker(List.of(endpoint(1, 5001), endpoint(2, 4999)), 0);
    int n = 100_000;
    Map<Integer, Integer> counts = count(ports(picker, n));
    // The walk is a low-discrepancy sequence, not random: the error is far below one percent of n.
    assertThat(counts.get(1)).isCloseTo(n * 5001 / 10_000, org.assertj.core.data.Offset.offset(n / 1000));
  }

  @Test
  void refusesAnEmptyList() {
    assertThatThrownBy(() -> new WeightedRoundRobinPicker(List.of(), 0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static Map<Integer, Integer> count(List<Integer> ports) {
    Map<Integer, Integer> counts = new HashMap<>();
    ports.forEach(p -> counts.merge(p, 1, Integer::sum));
    return counts;
  }

  private static List<Integer> concat(List<Integer> a, List<Integer> b) {
    List<Integer> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}

package io.mesh4j.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tables of Envoy's docs (arch overview, load balancing: priority levels and panic threshold), with 100 hosts per
 * priority so that "P0 healthy %" is a host count; overprovisioning factor 1.4, panic threshold 50 %.
 */
class PriorityLoadTest {

  private static PriorityLoad twoPriorities(int healthy0, int healthy1) {
    return PriorityLoad.compute(new int[] {100, 100}, new int[] {healthy0, healthy1}, 140, 50);
  }

  @ParameterizedTest(name = "P0 {0}% healthy, P1 {1}% -> {2}/{3}")
  @CsvSource({
    "100, 100, 100, 0",
    "72, 100, 100, 0",
    "71, 100, 99, 1",
    "50, 100, 70, 30",
    "25, 100, 35, 65",
    "0, 100, 0, 100",
  })
  void priorityLevelsTable(int healthy0, int healthy1, int load0, int load1) {
    PriorityLoad load = twoPriorities(healthy0, healthy1);
    assertThat(load.load(0)).isEqualTo(load0);
    assertThat(load.load(1)).isEqualTo(load1);
    assertThat(load.panic(0)).isFalse(); // the normalized availability is 100: nobody panics
  }

  @ParameterizedTest(name = "P0 {0}%, P1 {1}% -> {2}/{3} panic {4}/{5}")
  @CsvSource({
    "72, 72, 100, 0, false, false",
    "71, 71, 99, 1, false, false",
    "50, 60, 70, 30, false, false",
    "25, 100, 35, 65, false, false",
    "25, 25, 50, 50, true, true",
    // The docs' table says 7/93; Envoy's code gives the rounding leftover (100 - 7 - 92) to the first healthy
    // priority, P0, and the code is what runs.
    "5, 65, 8, 92, true, false",
  })
  void panicThresholdTable(int healthy0, int healthy1, int load0, int load1, boolean panic0, boolean panic1) {
    PriorityLoad load = twoPriorities(healthy0, healthy1);
    assertThat(new int[] {load.load(0), load.load(1)}).containsExactly(load0, load1);
    assertThat(new boolean[] {load.panic(0), load.panic(1)}).containsExactly(panic0, panic1);
  }

  @Test
  void threePrioritiesShareWhenNoneSufficesAlone() {
    // health 14, 28, 14 (of 100): normalized 56 -> 25 %, 50 %, 25 %.
    PriorityLoad load = PriorityLoad.compute(new int[] {10, 10, 10}, new int[] {1, 2, 1}, 140, 0);
    assertThat(new int[] {load.load(0), load.load(1), load.load(2)}).containsExactly(25, 50, 25);
  }

  @Test
  void overprovisioningFactorChangesWhenFailoverStarts() {
    // 80 % healthy: with 1.4 P0 keeps everything; with 1.0 it keeps 80 %.
    assertThat(PriorityLoad.compute(new int[] {10, 10}, new int[] {8, 10}, 140, 50).load(0)).isEqualTo(100);
    assertThat(PriorityLoad.compute(new int[] {10, 10}, new int[] {8, 10}, 100, 50).load(0)).isEqualTo(80);
  }

  @Test
  void totalPanicSpreadsByHostCount() {
    PriorityLoad load = PriorityLoad.compute(new int[] {1, 3}, new int[] {0, 0}, 140, 50);
    assertThat(new int[] {load.load(0), load.load(1)}).containsExactly(25, 75);
    assertThat(load.panic(0)).isTrue();
    assertThat(load.panic(1)).isTrue();
  }

  @Test
  void noHealthyHostWithPanicDisabledSendsAllToPriorityZeroWithoutPanic() {
    PriorityLoad load = PriorityLoad.compute(new int[] {2, 2}, new int[] {0, 0}, 140, 0);
    assertThat(new int[] {load.load(0), load.load(1)}).containsExactly(100, 0);
    assertThat(load.panic(0)).isFalse();
  }

  @Test
  void emptyPriorityGetsNothing() {
    PriorityLoad load = PriorityLoad.compute(new int[] {0, 4}, new int[] {0, 4}, 140, 50);
    assertThat(new int[] {load.load(0), load.load(1)}).containsExactly(0, 100);
  }

  // Degraded endpoints (arch overview, load balancing: degraded endpoints), one priority of 100 hosts.

  @ParameterizedTest(name = "P0 {0}/{1}/{2} healthy/degraded/unhealthy -> {3} healthy, {4} degraded")
  @CsvSource({
    "100, 0, 0, 100, 0",
    "71, 0, 29, 100, 0",
    "71, 29, 0, 99, 1",
    "25, 65, 10, 35, 65",
    "5, 0, 95, 100, 0",
  })
  void degradedEndpointsTable(int healthy, int degraded, int unhealthy, int healthyLoad, int degradedLoad) {
    PriorityLoad load = PriorityLoad.compute(
        new int[] {healthy + degraded + unhealthy}, new int[] {healthy}, new int[] {degraded}, 140, 50);
    assertThat(new int[] {load.healthyLoad(0), load.degradedLoad(0)}).containsExactly(healthyLoad, degradedLoad);
    assertThat(load.load(0)).isEqualTo(100);
  }

  @Test
  void envoysThreePriorityExampleGivesTheRoundingLeftoverToTheFirstHealthyPriority() {
    // The example in recalculatePerPriorityState's comment: health 10/20/10 %, degraded 20/10/0 % (factor 1.0),
    // normalized 70 -> healthy 14/28/14 (+2 leftover on P0), degraded 28/14/0.
    PriorityLoad load = PriorityLoad.compute(
        new int[] {10, 10, 10}, new int[] {1, 2, 1}, new int[] {2, 1, 0}, 100, 0);
    assertThat(new int[] {load.healthyLoad(0), load.healthyLoad(1), load.healthyLoad(2)}).containsExactly(16, 28, 14);
    assertThat(new int[] {load.degradedLoad(0), load.degradedLoad(1), load.degradedLoad(2)})
        .containsExactly(28, 14, 0);
  }

  @Test
  void withoutHealthyHostsTheLeftoverGoesToTheFirstDegradedPriority() {
    // Degraded availability 10 % each, normalized 30: 33 % each and the leftover 1 % to P0's degraded load.
    PriorityLoad load = PriorityLoad.compute(
        new int[] {10, 10, 10}, new int[] {0, 0, 0}, new int[] {1, 1, 1}, 100, 0);
    assertThat(new int[] {load.degradedLoad(0), load.degradedLoad(1), load.degradedLoad(2)})
        .containsExactly(34, 33, 33);
    assertThat(new int[] {load.healthyLoad(0), load.healthyLoad(1), load.healthyLoad(2)}).containsOnly(0);
  }

  @Test
  void healthyHostsOfALowerPriorityComeBeforeDegradedHostsOfAHigherOne() {
    // P0: 4 of 10 degraded (availability 56 %); P1: all healthy. Healthy load first: P1 takes all of it.
    PriorityLoad load = PriorityLoad.compute(new int[] {10, 10}, new int[] {0, 10}, new int[] {4, 0}, 140, 50);
    assertThat(new int[] {load.healthyLoad(0), load.healthyLoad(1), load.degradedLoad(0), load.degradedLoad(1)})
        .containsExactly(0, 100, 0, 0);
  }

  @Test
  void onlyDegradedHostsTakeAllTheLoadWithoutPanic() {
    PriorityLoad load = PriorityLoad.compute(new int[] {4}, new int[] {0}, new int[] {4}, 140, 50);
    assertThat(load.degradedLoad(0)).isEqualTo(100);
    assertThat(load.healthyLoad(0)).isZero();
    assertThat(load.panic(0)).isFalse();
  }

  @Test
  void degradedHostsCountTowardPanicAvoidance() {
    // Factor 1.0: 2 healthy + 3 degraded of 10 -> availability 20 + 30 = 50 (< 100, so panic may apply);
    // 50 % healthy or degraded is not below the 50 % threshold, although 20 % healthy alone would be.
    PriorityLoad noPanic = PriorityLoad.compute(new int[] {10}, new int[] {2}, new int[] {3}, 100, 50);
    assertThat(noPanic.panic(0)).isFalse();
    assertThat(new int[] {noPanic.healthyLoad(0), noPanic.degradedLoad(0)}).containsExactly(40, 60);
    // 2 + 2 of 10 = 40 %: panic, and in total panic all load is healthy load (which in panic means all hosts).
    PriorityLoad panic = PriorityLoad.compute(new int[] {10}, new int[] {2}, new int[] {2}, 100, 50);
    assertThat(panic.panic(0)).isTrue();
    assertThat(new int[] {panic.healthyLoad(0), panic.degradedLoad(0)}).containsExactly(100, 0);
  }
}

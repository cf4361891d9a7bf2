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
}

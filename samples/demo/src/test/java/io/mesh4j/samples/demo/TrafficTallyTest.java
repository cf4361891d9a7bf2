package io.mesh4j.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TrafficTallyTest {

  @Test
  void countsOnlyTheLastRequestsOfTheWindow() {
    TrafficTally tally = new TrafficTally(4);
    tally.record("v1");
    tally.record("v1");
    tally.record("v2");
    tally.record("v2");
    tally.record("v2");

    TrafficTally.Counts counts = tally.counts();

    assertThat(counts.total()).isEqualTo(4);
    assertThat(counts.byOutcome()).containsExactly(
        java.util.Map.entry("v1", 1), java.util.Map.entry("v2", 3));
  }

  @Test
  void ordersVersionsBeforeFailures() {
    TrafficTally tally = new TrafficTally(10);
    tally.record("NO_CLUSTER");
    tally.record("v2");
    tally.record("HTTP 503");
    tally.record("v1");

    assertThat(tally.counts().byOutcome().keySet()).containsExactly("v1", "v2", "HTTP 503", "NO_CLUSTER");
  }

  @Test
  void emptyTallyHasNoCounts() {
    assertThat(new TrafficTally(3).counts().total()).isZero();
    assertThatThrownBy(() -> new TrafficTally(0)).hasMessage("window must be positive: 0");
  }
}

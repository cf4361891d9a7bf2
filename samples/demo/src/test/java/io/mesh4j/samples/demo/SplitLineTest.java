package io.mesh4j.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SplitLineTest {

  @Test
  void rendersANinetyTenSplit() {
    TrafficTally tally = new TrafficTally(50);
    for (int i = 0; i < 50; i++) {
      tally.record(i % 10 == 0 ? "v2" : "v1");
    }

    assertThat(SplitLine.render(tally.counts(), "3", "v2")).isEqualTo(
        "v1 ██████████████████ 90%  v2 ██ 10%   (last 50 requests; routes version 3)   new-search -> v2");
  }

  @Test
  void rendersFailuresNextToVersions() {
    TrafficTally tally = new TrafficTally(4);
    tally.record("v1");
    tally.record("v1");
    tally.record("v1");
    tally.record("NO_CLUSTER");

    assertThat(SplitLine.render(tally.counts(), "7", "NO_CLUSTER")).isEqualTo(
        "v1 ███████████████ 75%  NO_CLUSTER █████ 25%   (last 4 requests; routes version 7)   new-search -> NO_CLUSTER");
  }

  @Test
  void saysSoBeforeAnyResponse() {
    assertThat(SplitLine.render(new TrafficTally(5).counts(), "-", "-"))
        .isEqualTo("no responses yet   (last 0 requests; routes version -)   new-search -> -");
  }
}

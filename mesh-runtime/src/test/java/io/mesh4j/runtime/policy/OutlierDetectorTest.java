package io.mesh4j.runtime.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.model.OutlierDetectionConfig;
import io.mesh4j.runtime.testing.FakeTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Outlier detection on a fake clock: ejection rules, limits, timing and the multiplier. */
class OutlierDetectorTest {
  private static final long S = 1_000_000_000L;
  private static final List<String> HOSTS = List.of("a:1", "b:1", "c:1", "d:1", "e:1");

  private final FakeTime time = new FakeTime();
  private final AtomicLong random = new AtomicLong(0); // 0 % 100 < any enforcing percentage above 0

  private OutlierDetector detector(OutlierDetectionConfig config, List<String> hosts) {
    OutlierDetector d = new OutlierDetector(config, time.environment(random::get));
    d.setHosts(hosts);
    return d;
  }

  private static OutlierDetectionConfig config(int consecutive5xx, int maxEjectionPercent) {
    OutlierDetectionConfig d = OutlierDetectionConfig.DEFAULT;
    return new OutlierDetectionConfig(consecutive5xx, d.consecutiveGatewayFailure(), d.intervalNanos(),
        d.baseEjectionTimeNanos(), d.maxEjectionTimeNanos(), 0, maxEjectionPercent, 100, 0, 100,
        d.successRateMinimumHosts(), d.successRateRequestVolume(), d.successRateStdevFactor(),
        d.failurePercentageThreshold(), d.enforcingFailurePercentage(), d.failurePercentageMinimumHosts(),
        d.failurePercentageRequestVolume(), false);
  }

  private static void fail(OutlierDetector d, String host, int times, int status) {
    for (int i = 0; i < times; i++) {
      d.record(host, status);
    }
  }

  @Test
  void sweepsRunOnTheSweepSchedulerNotOnTheRequestTimers() {
    FakeTime requestTimers = new FakeTime();
    PolicyEnvironment shared = time.environment(random::get);
    PolicyEnvironment env = new PolicyEnvironment(shared.nanoClock(), shared.random(), requestTimers.scheduler(),
        shared.sleeper(), time.scheduler());
    OutlierDetector d = new OutlierDetector(config(1, 100), env);
    d.setHosts(HOSTS);
    d.record("a:1", 500);
    assertThat(d.isEjected("a:1")).isTrue();

    assertThat(requestTimers.pendingTasks()).isZero();
    assertThat(time.pendingTasks()).isEqualTo(1);
    // The sweep after the base ejection time (30 s by default) returns the endpoint.
    time.advance(40 * S);
    assertThat(d.isEjected("a:1")).isFalse();
  }

  @Test
  void consecutive5xxEjectsAtOnceAndASuccessResetsTheRun() {
    OutlierDetector d = detector(config(3, 100), HOSTS);
    fail(d, "a:1", 2, 500);
    d.record("a:1", 200);
    fail(d, "a:1", 2, 500);
    assertThat(d.isEjected("a:1")).isFalse();
    d.record("a:1", 500);
    assertThat(d.isEjected("a:1")).isTrue();
    assertThat(d.isEjected("b:1")).isFalse();
  }

  @Test
  void localFailuresCountAs5xx() {
    OutlierDetector d = detector(config(2, 100), HOSTS);
    d.record("a:1", AttemptFailure.CONNECT_FAILURE);
    d.record("a:1", AttemptFailure.TIMEOUT);
    assertThat(d.isEjected("a:1")).isTrue();
  }

  @Test
  void ejectionLastsBaseTimesTheMultiplierUntilASweepAfterIt() {
    OutlierDetector d = detector(config(1, 100), HOSTS);
    d.record("a:1", 503);
    time.advance(20 * S); // sweeps at 10 s and 20 s: not yet 30 s
    assertThat(d.isEjected("a:1")).isTrue();
    time.advance(10 * S); // the 30 s sweep
    assertThat(d.isEjected("a:1")).isFalse();
    d.record("a:1", 503); // no healthy sweep since: the second ejection in a row lasts 2 x 30 s
    time.advance(30 * S);
    assertThat(d.isEjected("a:1")).isTrue();
    time.advance(30 * S);
    assertThat(d.isEjected("a:1")).isFalse();
  }

  @Test
  void theMultiplierDecaysByOnePerHealthyIntervalAndIsCappedByMaxEjectionTime() {
    OutlierDetectionConfig d0 = config(1, 100);
    OutlierDetectionConfig capped = new OutlierDetectionConfig(1, 5, d0.intervalNanos(), 30 * S, 45 * S, 0, 100,
        100, 0, 100, 5, 100, 1900, 85, 0, 5, 50, false);
    OutlierDetector d = detector(capped, HOSTS);
    d.record("a:1", 503);
    time.advance(30 * S);
    assertThat(d.isEjected("a:1")).isFalse();
    d.record("a:1", 503); // second: 60 s capped to 45 s
    time.advance(40 * S);
    assertThat(d.isEjected("a:1")).isTrue();
    time.advance(10 * S);
    assertThat(d.isEjected("a:1")).isFalse();
    time.advance(100 * S); // ten healthy sweeps: the multiplier is back to 0
    d.record("a:1", 503);
    time.advance(30 * S);
    assertThat(d.isEjected("a:1")).isFalse();
  }

  @Test
  void maxEjectionPercentCountsTheNextEjection() {
    // 5 hosts, 20%: one may be ejected ((0+1)/5 = 20% <= 20%), a second may not (40%).
    OutlierDetector d = detector(config(1, 20), HOSTS);
    d.record("a:1", 500);
    d.record("b:1", 500);
    assertThat(d.isEjected("a:1")).isTrue();
    assertThat(d.isEjected("b:1")).isFalse();
    // The default 10% ejects nothing among 5 hosts ...
    OutlierDetector tenPercent = detector(config(1, 10), HOSTS);
    tenPercent.record("a:1", 500);
    assertThat(tenPercent.ejectedCount()).isZero();
  }

  @Test
  void alwaysEjectOneHostOverridesThePercentageForTheFirst() {
    OutlierDetectionConfig d0 = config(1, 10);
    OutlierDetectionConfig one = new OutlierDetectionConfig(1, 5, d0.intervalNanos(), d0.baseEjectionTimeNanos(),
        d0.maxEjectionTimeNanos(), 0, 10, 100, 0, 100, 5, 100, 1900, 85, 0, 5, 50, true);
    OutlierDetector d = detector(one, HOSTS);
    d.record("a:1", 500);
    d.record("b:1", 500);
    assertThat(d.isEjected("a:1")).isTrue();
    assertThat(d.isEjected("b:1")).isFalse();
  }

  @Test
  void enforcingPercentageIsDrawnPerEjection() {
    OutlierDetector d = detector(config(1, 100), HOSTS);
    random.set(99); // 99 % 100 = 99, not below 100: enforced
    d.record("a:1", 500);
    assertThat(d.isEjected("a:1")).isTrue();
    // consecutive_gateway_failure is enforced at 0% by default: never ejects.
    OutlierDetectionConfig d0 = OutlierDetectionConfig.DEFAULT;
    OutlierDetector gateway = detector(new OutlierDetectionConfig(100, 2, d0.intervalNanos(),
        d0.baseEjectionTimeNanos(), d0.maxEjectionTimeNanos(), 0, 100, 100, 0, 100, 5, 100, 1900, 85, 0, 5, 50, false),
        HOSTS);
    random.set(0);
    fail(gateway, "a:1", 5, 503);
    assertThat(gateway.isEjected("a:1")).isFalse();
  }

  @Test
  void onlyEnforcedEjectionsAreCountedAndEachOneAgain() {
    // 5 hosts, 20%: a is ejected; b is refused by max_ejection_percent (Envoy counts that as an overflow).
    OutlierDetector d = detector(config(1, 20), HOSTS);
    d.record("a:1", 500);
    d.record("b:1", 500);
    assertThat(d.ejectionsEnforced()).isEqualTo(1);
    // a returns at the 30 s sweep; its next ejection counts again while one endpoint at most is ejected at a time.
    time.advance(30 * S);
    assertThat(d.ejectedCount()).isZero();
    d.record("a:1", 500);
    assertThat(d.ejectionsEnforced()).isEqualTo(2);
    assertThat(d.ejectedCount()).isEqualTo(1);

    // enforcing_consecutive_5xx 50%, and a draw of 99: detected, not enforced, not counted.
    OutlierDetectionConfig d0 = OutlierDetectionConfig.DEFAULT;
    OutlierDetector halfEnforced = detector(new OutlierDetectionConfig(1, 5, d0.intervalNanos(),
        d0.baseEjectionTimeNanos(), d0.maxEjectionTimeNanos(), 0, 100, 50, 0, 100, 5, 100, 1900, 85, 0, 5, 50, false),
        HOSTS);
    random.set(99);
    halfEnforced.record("a:1", 500);
    assertThat(halfEnforced.isEjected("a:1")).isFalse();
    assertThat(halfEnforced.ejectionsEnforced()).isZero();
  }

  @Test
  void successRateEjectsHostsBelowMeanMinusStdevFactorTimesStdev() {
    OutlierDetector d = detector(config(1000, 100), HOSTS);
    // a..d succeed always; e succeeds 50%: mean 90, stdev 20, threshold 90 - 1.9 * 20 = 52 > 50.
    for (String host : List.of("a:1", "b:1", "c:1", "d:1")) {
      fail(d, host, 100, 200);
    }
    fail(d, "e:1", 50, 200);
    fail(d, "e:1", 50, 500);
    time.advance(10 * S);
    assertThat(d.isEjected("e:1")).isTrue();
    assertThat(d.ejectedCount()).isEqualTo(1);
  }

  @Test
  void successRateNeedsEnoughHostsWithEnoughVolume() {
    OutlierDetector d = detector(config(1000, 100), HOSTS);
    for (String host : List.of("a:1", "b:1", "c:1")) {
      fail(d, host, 100, 200);
    }
    fail(d, "d:1", 99, 200); // below success_rate_request_volume
    fail(d, "e:1", 50, 200);
    fail(d, "e:1", 50, 500);
    time.advance(10 * S);
    assertThat(d.ejectedCount()).isZero();
  }

  @Test
  void failurePercentageIsOffByDefaultAndEjectsAboveTheThresholdWhenEnforced() {
    OutlierDetectionConfig d0 = OutlierDetectionConfig.DEFAULT;
    OutlierDetectionConfig enforced = new OutlierDetectionConfig(1000, 1000, d0.intervalNanos(),
        d0.baseEjectionTimeNanos(), d0.maxEjectionTimeNanos(), 0, 100, 100, 0, 0, 5, 100, 1900, 85, 100, 5, 50,
        false);
    for (OutlierDetectionConfig config : List.of(config(1000, 100), enforced)) {
      OutlierDetector d = detector(config, HOSTS);
      for (String host : List.of("a:1", "b:1", "c:1", "d:1")) {
        fail(d, host, 50, 200);
      }
      fail(d, "e:1", 4, 200);
      fail(d, "e:1", 46, 500); // 92% failures
      time.advance(10 * S);
      assertThat(d.isEjected("e:1")).isEqualTo(config == enforced);
    }
  }

  @Test
  void removedEndpointsAreForgottenWithTheirEjection() {
    OutlierDetector d = detector(config(1, 100), HOSTS);
    d.record("a:1", 500);
    assertThat(d.ejectedCount()).isEqualTo(1);
    d.setHosts(List.of("b:1", "c:1"));
    assertThat(d.ejectedCount()).isZero();
    assertThat(d.isEjected("a:1")).isFalse();
  }
}

package io.mesh4j.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.model.CircuitBreakerThresholds;
import io.mesh4j.runtime.model.OutlierDetectionConfig;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.testing.FakeTime;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.model.LocalityEndpoints;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ejected endpoints are not picked; breaker counters and ejections survive a rebuild of the cluster's runtime. */
class ClusterPolicyCarryOverTest {
  private static final LbEndpoint A = new LbEndpoint("127.0.0.1", 1, 1, true);
  private static final LbEndpoint B = new LbEndpoint("127.0.0.1", 2, 1, true);
  private static final LbEndpoint C = new LbEndpoint("127.0.0.1", 3, 1, true);

  private final FakeTime time = new FakeTime();
  private final PolicyEnvironment env = time.environment(() -> 0);

  private static OutlierDetectionConfig ejectAfterOne() {
    OutlierDetectionConfig d = OutlierDetectionConfig.DEFAULT;
    return new OutlierDetectionConfig(1, 5, d.intervalNanos(), d.baseEjectionTimeNanos(), d.maxEjectionTimeNanos(), 0,
        100, 100, 0, 100, 5, 100, 1900, 85, 0, 5, 50, false);
  }

  private static ClusterResource cluster(OutlierDetectionConfig od) {
    return new ClusterResource("c", "c", Duration.ofSeconds(5), CircuitBreakerThresholds.DEFAULT, od);
  }

  private static EndpointResource endpoints(LbEndpoint... endpoints) {
    return new EndpointResource("c", List.of(new LocalityEndpoints("l", 0, 0, List.of(endpoints))));
  }

  private static Set<LbEndpoint> picks(ClusterRuntime runtime) {
    Set<LbEndpoint> picked = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      picked.add(runtime.pick());
    }
    return picked;
  }

  @Test
  void ejectedEndpointsAreSkippedUntilTheyReturn() {
    ClusterRuntime runtime = ClusterRuntime.build(cluster(ejectAfterOne()), endpoints(A, B, C), 0, null, env);
    runtime.attemptFinished(A, 503);
    assertThat(picks(runtime)).containsExactlyInAnyOrder(B, C);
    time.advance(Duration.ofSeconds(30).toNanos());
    assertThat(picks(runtime)).containsExactlyInAnyOrder(A, B, C);
  }

  @Test
  void whenEveryEndpointIsEjectedOneIsUsedAnyway() {
    ClusterRuntime runtime = ClusterRuntime.build(cluster(ejectAfterOne()), endpoints(A), 0, null, env);
    runtime.attemptFinished(A, 503);
    assertThat(runtime.policy().isEjected(A.hostPort())).isTrue();
    assertThat(runtime.pick()).isEqualTo(A);
  }

  @Test
  void stateSurvivesANewEndpointSetAndStartsOverWithNewOutlierSettings() {
    ClusterRuntime first = ClusterRuntime.build(cluster(ejectAfterOne()), endpoints(A, B, C), 0, null, env);
    first.attemptFinished(A, 503);
    assertThat(first.policy().breaker().tryAcquireAttempt(CircuitBreakerThresholds.DEFAULT)).isTrue();

    ClusterRuntime second = ClusterRuntime.build(cluster(ejectAfterOne()), endpoints(A, B, C, new LbEndpoint(
        "127.0.0.1", 4, 1, true)), 0, first, env);
    assertThat(second.policy()).isSameAs(first.policy());
    assertThat(second.policy().isEjected(A.hostPort())).isTrue();
    assertThat(second.policy().breaker().attemptsInFlight()).isEqualTo(1);

    ClusterRuntime third = ClusterRuntime.build(cluster(null), endpoints(A, B, C), 0, second, env);
    assertThat(third.policy().isEjected(A.hostPort())).isFalse();
    assertThat(third.policy().breaker()).isSameAs(first.policy().breaker());
  }

  @Test
  void theCountOfEnforcedEjectionsGoesOnAcrossNewOutlierSettings() {
    ClusterRuntime first = ClusterRuntime.build(cluster(ejectAfterOne()), endpoints(A, B, C), 0, null, env);
    first.attemptFinished(A, 503);
    assertThat(first.policy().ejectionsEnforced()).isEqualTo(1);

    ClusterRuntime withoutDetection = ClusterRuntime.build(cluster(null), endpoints(A, B, C), 0, first, env);
    assertThat(withoutDetection.policy().ejectionsEnforced()).isEqualTo(1);
    ClusterRuntime detectingAgain = ClusterRuntime.build(cluster(ejectAfterOne()), endpoints(A, B, C), 0,
        withoutDetection, env);
    detectingAgain.attemptFinished(B, 503);
    assertThat(detectingAgain.policy().isEjected(B.hostPort())).isTrue();
    assertThat(detectingAgain.policy().ejectionsEnforced()).isEqualTo(2);
  }

  @Test
  void ejectionCountsAsUnhealthySoTrafficMovesToPriorityOneAndBack() {
    // P0: A and B, P1: C. Ejecting A leaves P0 50 % healthy: health min(100, 1.4 x 50) = 70, so P0 takes 70 % and
    // P1 30 % (Envoy's priority load); before the ejection and after A returns, P0 takes everything.
    EndpointResource assignment = new EndpointResource("c", List.of(
        new LocalityEndpoints("l0", 0, 0, List.of(A, B)), new LocalityEndpoints("l1", 0, 1, List.of(C))));
    ClusterRuntime runtime = ClusterRuntime.build(cluster(ejectAfterOne()), assignment, 0, null, env);
    assertThat(sharePicked(runtime, C, 2000)).isZero();

    runtime.attemptFinished(A, 503);
    assertThat(runtime.policy().isEjected(A.hostPort())).isTrue();
    // 2000 uniform draws at p = 0.3: sd = sqrt(2000 x 0.3 x 0.7) = 20.5 picks (1 %); 6 sd is 6 %.
    assertThat(sharePicked(runtime, C, 2000)).isBetween(0.24, 0.36);
    assertThat(sharePicked(runtime, A, 2000)).isZero();

    time.advance(Duration.ofSeconds(30).toNanos()); // the sweep returns A: the plan is rebuilt
    assertThat(runtime.policy().isEjected(A.hostPort())).isFalse();
    assertThat(sharePicked(runtime, C, 2000)).isZero();
  }

  private static double sharePicked(ClusterRuntime runtime, LbEndpoint endpoint, int picks) {
    int hits = 0;
    for (int i = 0; i < picks; i++) {
      if (endpoint.equals(runtime.pick())) {
        hits++;
      }
    }
    return (double) hits / picks;
  }
}

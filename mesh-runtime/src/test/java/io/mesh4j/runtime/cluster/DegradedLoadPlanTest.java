package io.mesh4j.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.EndpointHealth;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.model.LbPolicy;
import io.mesh4j.runtime.model.LoadBalancerConfig;
import io.mesh4j.runtime.model.LocalityEndpoints;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Degraded endpoints in the load plan: traffic reaches them only for the priority's degraded load. Seeded random
 * source; statistical bounds are five standard deviations of the binomial count ({@code sqrt(n p (1 - p))}), a false
 * failure about one in two million, while the wrong behaviour (degraded hosts treated as healthy: p = 0.25 for the
 * healthy host instead of 0.35; as unhealthy: p = 1) is dozens of deviations away.
 */
class DegradedLoadPlanTest {
  private final SplittableRandom random = new SplittableRandom(7);
  private final List<Runnable> probes = new ArrayList<>();
  private final Set<Integer> listening = new HashSet<>();
  private final LbEnvironment env = new LbEnvironment(random::nextLong, (probe, delay) -> probes.add(probe),
      (host, port, timeout) -> listening.contains(port),
      () -> () -> Duration.ofSeconds(1).toNanos());

  private static ClusterResource cluster(LbPolicy policy) {
    return new ClusterResource("c", "c", Duration.ofSeconds(1), new LoadBalancerConfig(policy, 50, false));
  }

  private static LbEndpoint healthy(int port) {
    return new LbEndpoint("10.0.0.1", port, 1, EndpointHealth.HEALTHY);
  }

  private static LbEndpoint degraded(int port) {
    return new LbEndpoint("10.0.0.1", port, 1, EndpointHealth.DEGRADED);
  }

  private static EndpointResource assignment(int overprovisioningFactor, LbEndpoint... endpoints) {
    return new EndpointResource("c", List.of(new LocalityEndpoints("", 0, 0, List.of(endpoints))),
        overprovisioningFactor);
  }

  private ClusterRuntime build(LbPolicy policy, EndpointResource endpoints) {
    return ClusterRuntime.build(cluster(policy), endpoints, 0, null, env);
  }

  private static Map<Integer, Integer> counts(ClusterRuntime runtime, int n) {
    Map<Integer, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      EndpointLease lease = runtime.acquire(false, 0);
      counts.merge(lease.endpoint().port(), 1, Integer::sum);
      lease.release();
    }
    return counts;
  }

  private static void assertBinomial(int count, int n, double p) {
    double sd = Math.sqrt(n * p * (1 - p));
    assertThat((double) count).isBetween(n * p - 5 * sd, n * p + 5 * sd);
  }

  @Test
  void degradedHostsGetNothingWhileTheHealthyOnesCoverAvailability() {
    // 1 healthy of 4 with factor 5.0: healthy availability min(100, 500 / 4) = 100.
    ClusterRuntime runtime = build(new LbPolicy.RoundRobin(),
        assignment(500, healthy(1), degraded(2), degraded(3), degraded(4)));
    assertThat(counts(runtime, 1000).keySet()).containsExactly(1);
  }

  @Test
  void trafficSpillsToDegradedHostsByTheComputedShare() {
    // 1 healthy of 4 with factor 1.4: healthy availability 35, degraded 105 -> 100; normalized 100: 35 % to the
    // healthy host, 65 % to the degraded ones, shared by round robin among them.
    ClusterRuntime runtime = build(new LbPolicy.RoundRobin(),
        assignment(140, healthy(1), degraded(2), degraded(3), degraded(4)));
    int n = 20_000;
    Map<Integer, Integer> counts = counts(runtime, n);
    assertBinomial(counts.get(1), n, 0.35);
    int toDegraded = counts.get(2) + counts.get(3) + counts.get(4);
    for (int port = 2; port <= 4; port++) {
      // round robin within the degraded set: equal to within one
      assertThat(counts.get(port) * 3).isBetween(toDegraded - 3, toDegraded + 3);
    }
  }

  @Test
  void onlyDegradedHostsStillServe() {
    ClusterRuntime runtime = build(new LbPolicy.RoundRobin(), assignment(140, degraded(1), degraded(2)));
    assertThat(counts(runtime, 100)).containsOnly(Map.entry(1, 50), Map.entry(2, 50));
    assertThat(runtime.activePriority()).isZero();
  }

  @Test
  void ringHashUsesTheDegradedHostsForTheDegradedLoad() {
    ClusterRuntime runtime = build(new LbPolicy.RingHash(1024, 1 << 23), assignment(140, degraded(1), degraded(2)));
    Set<Integer> owners = new HashSet<>();
    SplittableRandom hashes = new SplittableRandom(1);
    for (int i = 0; i < 200; i++) {
      EndpointLease lease = runtime.acquire(true, hashes.nextLong());
      owners.add(lease.endpoint().port());
      lease.release();
    }
    assertThat(owners).containsExactlyInAnyOrder(1, 2);
  }

  @Test
  void aDegradedHostThatRefusesConnectionsIsUnhealthy() {
    ClusterRuntime runtime = build(new LbPolicy.RoundRobin(), assignment(140, degraded(1), degraded(2)));
    while (true) {
      EndpointLease lease = runtime.acquire(false, 0);
      boolean target = lease.endpoint().port() == 1;
      if (target) {
        lease.connectFailed();
      }
      lease.release();
      if (target) {
        break;
      }
    }
    // Degraded availability min(100, 140 * 1 / 2) = 70 = normalized: all load to the remaining degraded host.
    assertThat(counts(runtime, 100).keySet()).containsExactly(2);
  }
}

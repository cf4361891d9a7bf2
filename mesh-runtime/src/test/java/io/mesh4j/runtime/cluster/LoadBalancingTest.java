package io.mesh4j.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.model.LbPolicy;
import io.mesh4j.runtime.model.LoadBalancerConfig;
import io.mesh4j.runtime.model.LocalityEndpoints;
import io.mesh4j.runtime.util.XxHash64;
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
 * The cluster's pickers and plan, with a seeded random source, probes run by hand and a connector that answers from a
 * set of "listening" ports. Statistical bounds are five standard deviations of the binomial count
 * ({@code sqrt(n p (1 - p))}): a false failure is about one in two million, while the wrong behaviour each test guards
 * against is many deviations away.
 */
class LoadBalancingTest {
  private final SplittableRandom random = new SplittableRandom(42);
  private final List<Runnable> probes = new ArrayList<>();
  private final Set<Integer> listening = new HashSet<>();
  private final LbEnvironment env = new LbEnvironment(random::nextLong, (probe, delay) -> probes.add(probe),
      (host, port, timeout) -> listening.contains(port),
      () -> () -> Duration.ofSeconds(1).toNanos());

  private static ClusterResource cluster(LbPolicy policy) {
    return cluster(policy, 50, false);
  }

  private static ClusterResource cluster(LbPolicy policy, double panic, boolean localityWeighted) {
    return new ClusterResource("c", "c", Duration.ofSeconds(1),
        new LoadBalancerConfig(policy, panic, localityWeighted));
  }

  private static LbEndpoint ep(int port) {
    return new LbEndpoint("10.0.0.1", port, 1, true);
  }

  private static LbEndpoint ep(int port, int weight) {
    return new LbEndpoint("10.0.0.1", port, weight, true);
  }

  private static EndpointResource assignment(LbEndpoint... endpoints) {
    return new EndpointResource("c", List.of(new LocalityEndpoints("", 0, 0, List.of(endpoints))));
  }

  private ClusterRuntime build(ClusterResource cluster, EndpointResource endpoints) {
    return ClusterRuntime.build(cluster, endpoints, 0, null, env);
  }

  /** Picks n times, releasing at once, and counts by port. */
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

  private static void runAll(List<Runnable> tasks) {
    List<Runnable> now = new ArrayList<>(tasks);
    tasks.clear();
    now.forEach(Runnable::run);
  }

  @Test
  void randomIsUniformAndIgnoresEndpointWeightsAsEnvoys() {
    ClusterRuntime runtime = build(cluster(new LbPolicy.Random()), assignment(ep(1), ep(2), ep(3), ep(4, 5)));
    int n = 40_000;
    Map<Integer, Integer> counts = counts(runtime, n);
    for (int port = 1; port <= 4; port++) {
      assertBinomial(counts.get(port), n, 0.25);
    }
  }

  @Test
  void leastRequestPrefersIdleEndpoints() {
    ClusterRuntime runtime = build(cluster(new LbPolicy.LeastRequest(2, 1.0)), assignment(ep(1), ep(2), ep(3)));
    List<EndpointLease> busy = new ArrayList<>();
    while (busy.size() < 5) {
      EndpointLease lease = runtime.acquire(false, 0);
      if (lease.endpoint().port() == 1) {
        busy.add(lease);
      } else {
        lease.release();
      }
    }
    // Port 1 has 5 requests in flight: two choices pick it only when both draws are port 1, p = 1/9 (round robin
    // would give 1/3).
    int n = 9_000;
    assertBinomial(counts(runtime, n).getOrDefault(1, 0), n, 1.0 / 9);
    busy.forEach(EndpointLease::release);
    assertBinomial(counts(runtime, n).get(1), n, 1.0 / 3);
  }

  /**
   * Picks are by rejection (proposed by weight, taken with probability 1 / (active + 1)), falling back to one exact
   * pass after a few refusals: both ways must give the same shares, whether endpoints are idle, unevenly busy, or so
   * busy that most picks end in the fallback.
   */
  @Test
  void weightedLeastRequestKeepsItsSharesWhenEveryEndpointIsBusy() {
    ClusterRuntime runtime = build(cluster(new LbPolicy.LeastRequest(2, 1.0)),
        assignment(ep(1, 1), ep(2, 3), ep(3, 4)));
    int n = 20_000;
    List<EndpointLease> held = new ArrayList<>();
    hold(runtime, held, 1, 0);
    hold(runtime, held, 2, 5);
    hold(runtime, held, 3, 1);
    // Shares 1/1, 3/6, 4/2: port 2 gets 0.5 / 3.5.
    assertBinomial(counts(runtime, n).get(2), n, 0.5 / 3.5);
    hold(runtime, held, 1, 30);
    hold(runtime, held, 2, 31);
    hold(runtime, held, 3, 29);
    // Shares 1/31, 3/37, 4/31: most proposals are refused, the exact pass decides.
    double port2 = 3.0 / 37;
    assertBinomial(counts(runtime, n).get(2), n, port2 / (1.0 / 31 + port2 + 4.0 / 31));
    held.forEach(EndpointLease::release);
  }

  /** Acquires until {@code count} more requests are held on the endpoint with that port. */
  private static void hold(ClusterRuntime runtime, List<EndpointLease> held, int port, int count) {
    int added = 0;
    while (added < count) {
      EndpointLease lease = runtime.acquire(false, 0);
      if (lease.endpoint().port() == port) {
        held.add(lease);
        added++;
      } else {
        lease.release();
      }
    }
  }

  @Test
  void weightedLeastRequestScalesWeightsByActiveRequests() {
    ClusterRuntime runtime = build(cluster(new LbPolicy.LeastRequest(2, 1.0)), assignment(ep(1, 1), ep(2, 3)));
    int n = 20_000;
    assertBinomial(counts(runtime, n).get(2), n, 0.75);
    List<EndpointLease> held = new ArrayList<>();
    while (held.size() < 2) {
      EndpointLease lease = runtime.acquire(false, 0);
      if (lease.endpoint().port() == 2) {
        held.add(lease);
      } else {
        lease.release();
      }
    }
    // 3 / (2 + 1) against 1 / (0 + 1): even.
    assertBinomial(counts(runtime, n).get(2), n, 0.5);
    // active_request_bias 0 is plain weighted balancing, whatever is in flight (the counts are per address, so a
    // runtime of the same cluster with another policy sees the same two requests).
    ClusterRuntime noBias = ClusterRuntime.build(cluster(new LbPolicy.LeastRequest(2, 0.0)),
        runtime.endpoints(), 0, runtime, env);
    assertBinomial(counts(noBias, n).get(2), n, 0.75);
    held.forEach(EndpointLease::release);
  }

  private static Map<Long, Integer> owners(ClusterRuntime runtime, long[] hashes) {
    Map<Long, Integer> owners = new HashMap<>();
    for (long h : hashes) {
      EndpointLease lease = runtime.acquire(true, h);
      owners.put(h, lease.endpoint().port());
      lease.release();
    }
    return owners;
  }

  private long[] hashes(int n) {
    long[] hashes = new long[n];
    for (int i = 0; i < n; i++) {
      hashes[i] = random.nextLong();
    }
    return hashes;
  }

  @Test
  void ringHashIsStickyAndAddingAnEndpointMovesFewKeys() {
    LbPolicy ring = new LbPolicy.RingHash(1024, 8 * 1024 * 1024);
    ClusterRuntime four = build(cluster(ring), assignment(ep(1), ep(2), ep(3), ep(4)));
    long[] keys = hashes(4000);
    Map<Long, Integer> before = owners(four, keys);
    assertThat(owners(four, keys)).isEqualTo(before); // same hash, same endpoint
    Map<Integer, Integer> share = new HashMap<>();
    before.values().forEach(p -> share.merge(p, 1, Integer::sum));
    // 256 points each: every endpoint's arc share is near 1/4 (ring variance, not sampling, dominates).
    share.values().forEach(c -> assertThat(c).isBetween(700, 1300));

    ClusterRuntime five = build(cluster(ring), assignment(ep(1), ep(2), ep(3), ep(4), ep(5)));
    Map<Long, Integer> after = owners(five, keys);
    long moved = java.util.Arrays.stream(keys).filter(k -> !after.get(k).equals(before.get(k))).count();
    long toNew = java.util.Arrays.stream(keys).filter(k -> after.get(k) == 5).count();
    // Envoy sizes the ring, not the points per endpoint: with a fifth endpoint each old one keeps its points 0..204
    // of 0..255, so besides the fifth that the new endpoint takes, keys on the dropped points move to their next
    // point (about 0.2 + 0.8 * 0.2 * 3/4 = 0.32 in all). Modulo hashing would move 4/5.
    assertThat(toNew).isBetween(480L, 1120L);
    assertThat(moved).isLessThan(keys.length * 45 / 100);
    // Endpoints keep their points' hashes: shrinking the ring back gives back exactly the old owners.
    assertThat(owners(build(cluster(ring), assignment(ep(1), ep(2), ep(3), ep(4))), keys)).isEqualTo(before);
  }

  @Test
  void ringHashHonoursWeightsAndPicksAtRandomWithoutAHash() {
    ClusterRuntime runtime = build(cluster(new LbPolicy.RingHash(1024, 8 * 1024 * 1024)),
        assignment(ep(1, 1), ep(2, 3)));
    long[] keys = hashes(8000);
    long heavy = owners(runtime, keys).values().stream().filter(p -> p == 2).count();
    assertThat(heavy).isBetween(5600L, 6400L); // 3/4 of the ring, give or take the ring's granularity
    Map<Integer, Integer> unhashed = counts(runtime, 4000);
    assertThat(unhashed.keySet()).containsExactlyInAnyOrder(1, 2);
  }

  @Test
  void ringHashPlacesPointsAsEnvoy() {
    // Envoy hashes "ip:port_i" with xxHash64 (seed 0); with one endpoint and a ring of 3, its points are known.
    EndpointState[] one = {new EndpointState(new ClusterState(env), new LbEndpoint("127.0.0.1", 8080, 1, true))};
    RingHashHostPicker picker = new RingHashHostPicker(one, new double[] {1.0}, 3, 3);
    assertThat(picker.ringSize()).isEqualTo(3);
    long point = XxHash64.hash("127.0.0.1:8080_0");
    assertThat(picker.pick(point, 0)).isSameAs(one[0]);
  }

  @Test
  void maglevIsStickyHonoursWeightsAndMovesLittleOnChange() {
    LbPolicy maglev = new LbPolicy.Maglev(65537);
    ClusterRuntime weighted = build(cluster(maglev), assignment(ep(1, 1), ep(2, 3)));
    long[] keys = hashes(20_000);
    Map<Long, Integer> owners = owners(weighted, keys);
    assertThat(owners(weighted, keys)).isEqualTo(owners);
    assertBinomial((int) owners.values().stream().filter(p -> p == 2).count(), keys.length, 0.75);

    ClusterRuntime four = build(cluster(maglev), assignment(ep(1), ep(2), ep(3), ep(4)));
    ClusterRuntime five = build(cluster(maglev), assignment(ep(1), ep(2), ep(3), ep(4), ep(5)));
    Map<Long, Integer> before = owners(four, keys);
    Map<Long, Integer> after = owners(five, keys);
    long moved = java.util.Arrays.stream(keys).filter(k -> !after.get(k).equals(before.get(k))).count();
    long toNew = java.util.Arrays.stream(keys).filter(k -> after.get(k) == 5).count();
    assertBinomial((int) toNew, keys.length, 0.2);
    assertThat(moved).isLessThan(keys.length * 3 / 10); // Maglev moves a little more than the new share, not all
  }

  @Test
  void connectFailedEndpointsFailOverToTheNextPriorityAndComeBackWhenProbesConnect() {
    EndpointResource twoPriorities = new EndpointResource("c", List.of(
        new LocalityEndpoints("a", 0, 0, List.of(ep(1), ep(2))),
        new LocalityEndpoints("b", 0, 1, List.of(ep(3)))));
    ClusterRuntime runtime = build(cluster(new LbPolicy.RoundRobin()), twoPriorities);
    assertThat(counts(runtime, 10).keySet()).containsExactlyInAnyOrder(1, 2);

    failOnce(runtime, 1);
    // P0 health = 1.4 * 1/2 = 70 %: 70 % of the traffic stays (on port 2), 30 % goes to P1.
    int n = 10_000;
    Map<Integer, Integer> partial = counts(runtime, n);
    assertThat(partial).doesNotContainKey(1);
    assertBinomial(partial.get(3), n, 0.3);

    failOnce(runtime, 2);
    assertThat(counts(runtime, 100).keySet()).containsExactly(3);
    assertThat(runtime.activePriority()).isEqualTo(1);
    assertThat(probes).hasSize(2);

    runAll(probes); // nothing listens yet: both probes reschedule
    assertThat(probes).hasSize(2);
    assertThat(counts(runtime, 100).keySet()).containsExactly(3);

    listening.add(1);
    listening.add(2);
    runAll(probes);
    assertThat(probes).isEmpty();
    assertThat(counts(runtime, 100).keySet()).containsExactlyInAnyOrder(1, 2);
    assertThat(runtime.activePriority()).isZero();
  }

  private static void failOnce(ClusterRuntime runtime, int port) {
    while (true) {
      EndpointLease lease = runtime.acquire(false, 0);
      if (lease.endpoint().port() == port) {
        lease.connectFailed();
        lease.connectFailed(); // a second report of the same outage does not start a second probe
        lease.release();
        return;
      }
      lease.release();
    }
  }

  @Test
  void aNewAssignmentPutsEndpointsBackWhileOtherUpdatesKeepMarksAndCounts() {
    EndpointResource endpoints = new EndpointResource("c", List.of(
        new LocalityEndpoints("a", 0, 0, List.of(ep(1))), new LocalityEndpoints("b", 0, 1, List.of(ep(2)))));
    ClusterRuntime first = build(cluster(new LbPolicy.RoundRobin()), endpoints);
    failOnce(first, 1);
    EndpointLease inFlight = first.acquire(false, 0);
    assertThat(inFlight.endpoint().port()).isEqualTo(2);

    // A CDS update (new cluster object, same assignment): still failed over; the in-flight request still counts.
    ClusterRuntime cdsUpdate = ClusterRuntime.build(cluster(new LbPolicy.LeastRequest(2, 1.0)), endpoints, 0, first,
        env);
    assertThat(counts(cdsUpdate, 20).keySet()).containsExactly(2);
    assertThat(((EndpointState) inFlight).active()).isEqualTo(1);
    inFlight.release();

    // A fresh EDS update: the control plane's newer word puts port 1 back; its probe stops.
    EndpointResource fresh = new EndpointResource("c", endpoints.localities());
    ClusterRuntime edsUpdate = ClusterRuntime.build(cdsUpdate.cluster(), fresh, 0, cdsUpdate, env);
    assertThat(counts(edsUpdate, 20).keySet()).containsExactly(1);
    listening.add(1);
    runAll(probes);
    assertThat(probes).isEmpty();
  }

  @Test
  void aRetiredClusterStopsProbing() {
    ClusterRuntime runtime = build(cluster(new LbPolicy.RoundRobin()), assignment(ep(1), ep(2)));
    failOnce(runtime, 1);
    runtime.retire();
    runAll(probes);
    assertThat(probes).isEmpty();
  }

  @Test
  void localityWeightsApplyOnlyWhenLocalityWeightedBalancingIsOn() {
    EndpointResource endpoints = new EndpointResource("c", List.of(
        new LocalityEndpoints("light", 1, 0, List.of(ep(1))),
        new LocalityEndpoints("heavy", 3, 0, List.of(ep(2)))));
    int n = 20_000;
    assertBinomial(counts(build(cluster(new LbPolicy.RoundRobin(), 50, true), endpoints), n).get(2), n, 0.75);
    assertThat(counts(build(cluster(new LbPolicy.RoundRobin(), 50, false), endpoints), n).get(2)).isEqualTo(n / 2);
    // Ring hash folds locality weights into endpoint weights.
    long heavy = owners(build(cluster(new LbPolicy.RingHash(1024, 1 << 23), 50, true), endpoints), hashes(8000))
        .values().stream().filter(p -> p == 2).count();
    assertThat(heavy).isBetween(5600L, 6400L);
  }

  @Test
  void belowThePanicThresholdAPriorityUsesAllItsEndpoints() {
    EndpointResource oneOfFourHealthy = assignment(ep(1), new LbEndpoint("10.0.0.1", 2, 1, false),
        new LbEndpoint("10.0.0.1", 3, 1, false), new LbEndpoint("10.0.0.1", 4, 1, false));
    // 25 % healthy < 50 %: panic, all four take traffic (round robin: exactly a quarter each).
    assertThat(counts(build(cluster(new LbPolicy.RoundRobin(), 50, false), oneOfFourHealthy), 400).values())
        .containsOnly(100);
    // 25 % >= 20 %: no panic, only the healthy one.
    assertThat(counts(build(cluster(new LbPolicy.RoundRobin(), 20, false), oneOfFourHealthy), 400).keySet())
        .containsExactly(1);
  }
}

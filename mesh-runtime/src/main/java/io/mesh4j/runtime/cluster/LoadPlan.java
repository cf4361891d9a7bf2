package io.mesh4j.runtime.cluster;

import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.model.LbPolicy;
import io.mesh4j.runtime.model.LoadBalancerConfig;
import io.mesh4j.runtime.model.LocalityEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which endpoints take traffic and how, for one cluster at one moment: the healthy and degraded load of each priority
 * ({@link PriorityLoad}), and per priority the endpoints to use (healthy ones for its healthy load, degraded ones for
 * its degraded load, all in panic) with the policy's picker, per locality when locality weights apply. Immutable;
 * rebuilt when the endpoints or their connectivity change.
 *
 * <p>An endpoint is healthy (or degraded) when EDS says HEALTHY or UNKNOWN (or DEGRADED), the data path has not seen it
 * refuse connections and outlier detection has not ejected it (Envoy counts ejected hosts as unhealthy for priority
 * load and panic). A priority is chosen as Envoy's {@code choosePriority} does: one draw against the healthy loads of
 * all priorities, then the degraded loads. For RING_HASH and MAGLEV the degraded load uses a ring of the degraded
 * endpoints (Envoy's thread-aware balancers build only the healthy ring and send degraded load to it, which has
 * nothing to pick when a priority has only degraded endpoints).
 * Locality weights ({@code locality_weighted_lb_config} only, as in Envoy) choose the locality first, each weighing
 * {@code weight * min(1, overprovisioning * healthy / hosts)}; Envoy schedules localities with EDF, here each request
 * draws one in proportion (same shares). In panic, localities are not used, as in Envoy. For RING_HASH and MAGLEV,
 * locality weights scale the endpoint weights instead (Envoy's {@code normalizeWeights}).
 */
final class LoadPlan {
  static final LoadPlan EMPTY = new LoadPlan(new int[0], new PriorityPicker[0], false, -1);

  /**
   * Cumulative load, healthy load of each priority first, then degraded load of each priority, ending at 100 (or 0
   * when there is no endpoint at all).
   */
  private final int[] cumulativeLoad;
  /** The pickers in the order of {@link #cumulativeLoad}; null where there is no load or nothing to pick. */
  private final PriorityPicker[] priorities;
  private final boolean hashBased;
  private final int activePriority;

  private LoadPlan(int[] cumulativeLoad, PriorityPicker[] priorities, boolean hashBased, int activePriority) {
    this.cumulativeLoad = cumulativeLoad;
    this.priorities = priorities;
    this.hashBased = hashBased;
    this.activePriority = activePriority;
  }

  int activePriority() {
    return activePriority;
  }

  /**
   * @param hash the request's hash when {@code hashed}
   * @param random one uniformly random value
   */
  EndpointState pick(boolean hashed, long hash, long random) {
    if (priorities.length == 0) {
      return null;
    }
    // Envoy's hash-based balancers use the request hash (a random one without) for the priority and the ring alike;
    // the others use a random draw for both.
    long h = hashBased ? (hashed ? hash : random) : random;
    PriorityPicker picker = priorities[choosePriority(h)];
    return picker == null ? null : picker.pick(h, HostPicker.mix(random));
  }

  /**
   * Envoy's {@code choosePriority}: {@code h % 100 + 1} against the cumulative loads; returns the index of the
   * priority's healthy or degraded picker.
   */
  private int choosePriority(long h) {
    if (cumulativeLoad[0] == 100) {
      return 0;
    }
    long point = Long.remainderUnsigned(h, 100) + 1;
    for (int i = 0; i < cumulativeLoad.length; i++) {
      if (point <= cumulativeLoad[i]) {
        return i;
      }
    }
    return 0;
  }

  /** @param ejected whether outlier detection has ejected an endpoint ({@code host:port}) */
  static LoadPlan build(EndpointResource assignment, LoadBalancerConfig config, ClusterState state,
      Predicate<String> ejected, long start) {
    if (assignment == null || assignment.localities().isEmpty()) {
      return EMPTY;
    }
    int count = 0;
    for (LocalityEndpoints l : assignment.localities()) {
      count = Math.max(count, l.priority() + 1);
    }
    List<List<LocalityHosts>> byPriority = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      byPriority.add(new ArrayList<>());
    }
    int[] hosts = new int[count];
    int[] healthy = new int[count];
    int[] degraded = new int[count];
    for (LocalityEndpoints l : assignment.localities()) {
      LocalityHosts lh = new LocalityHosts(l.weight());
      for (LbEndpoint e : l.endpoints()) {
        EndpointState s = state.get(e);
        lh.all.add(s);
        if (!s.isConnectFailed() && !ejected.test(e.hostPort())) {
          if (e.healthy()) {
            lh.healthy.add(s);
          } else if (e.degraded()) {
            lh.degraded.add(s);
          }
        }
      }
      byPriority.get(l.priority()).add(lh);
      hosts[l.priority()] += lh.all.size();
      healthy[l.priority()] += lh.healthy.size();
      degraded[l.priority()] += lh.degraded.size();
    }
    PriorityLoad load = PriorityLoad.compute(hosts, healthy, degraded, assignment.overprovisioningFactor(),
        config.healthyPanicThreshold());
    PriorityPicker[] pickers = new PriorityPicker[2 * count];
    int[] cumulative = new int[2 * count];
    int sum = 0;
    int active = -1;
    for (int i = 0; i < 2 * count; i++) {
      int p = i % count;
      boolean forDegraded = i >= count;
      int share = forDegraded ? load.degradedLoad(p) : load.healthyLoad(p);
      sum += share;
      cumulative[i] = sum;
      if (share > 0) {
        HostSet set = load.panic(p) ? HostSet.ALL : forDegraded ? HostSet.DEGRADED : HostSet.HEALTHY;
        // In panic the healthy and degraded loads both balance over all hosts: one picker serves both.
        pickers[i] = set == HostSet.ALL && forDegraded && pickers[p] != null
            ? pickers[p]
            : PriorityPicker.build(byPriority.get(p), set, assignment.overprovisioningFactor(), config, start);
        if (pickers[i] != null && (active < 0 || p < active)) {
          active = p;
        }
      }
    }
    boolean hashBased = config.policy() instanceof LbPolicy.RingHash || config.policy() instanceof LbPolicy.Maglev;
    return new LoadPlan(cumulative, pickers, hashBased, active);
  }

  /** The endpoints of one locality at one priority. */
  static final class LocalityHosts {
    final int weight;
    final List<EndpointState> all = new ArrayList<>();
    final List<EndpointState> healthy = new ArrayList<>();
    final List<EndpointState> degraded = new ArrayList<>();

    LocalityHosts(int weight) {
      this.weight = weight;
    }

    List<EndpointState> hosts(HostSet set) {
      return switch (set) {
        case HEALTHY -> healthy;
        case DEGRADED -> degraded;
        case ALL -> all;
      };
    }
  }
}

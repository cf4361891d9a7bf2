package io.mesh4j.runtime.cluster;

import io.mesh4j.runtime.cluster.LoadPlan.LocalityHosts;
import io.mesh4j.runtime.model.LbPolicy;
import io.mesh4j.runtime.model.LoadBalancerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks within one priority among one set of its endpoints (healthy, degraded, or all in panic): a locality first when
 * locality weights apply, then an endpoint with the policy.
 */
final class PriorityPicker {
  private final HostPicker flat;
  private final HostPicker[] localities;
  private final long[] cumulativeWeights;

  private PriorityPicker(HostPicker flat, HostPicker[] localities, long[] cumulativeWeights) {
    this.flat = flat;
    this.localities = localities;
    this.cumulativeWeights = cumulativeWeights;
  }

  EndpointState pick(long hash, long random) {
    if (localities == null) {
      return flat.pick(hash, random);
    }
    long point = Long.remainderUnsigned(random, cumulativeWeights[cumulativeWeights.length - 1]);
    int i = 0;
    while (point >= cumulativeWeights[i]) {
      i++;
    }
    return localities[i].pick(hash, HostPicker.mix(random));
  }

  /** Null when the priority has no endpoint in {@code set}. */
  static PriorityPicker build(
      List<LocalityHosts> localityHosts, HostSet set, int overprovisioningFactor, LoadBalancerConfig config,
      long start) {
    boolean panic = set == HostSet.ALL;
    List<EndpointState> source = new ArrayList<>();
    for (LocalityHosts l : localityHosts) {
      source.addAll(l.hosts(set));
    }
    if (source.isEmpty()) {
      return null;
    }
    LbPolicy policy = config.policy();
    if (policy instanceof LbPolicy.RingHash || policy instanceof LbPolicy.Maglev) {
      return hashBased(localityHosts, set, config, policy);
    }
    if (config.localityWeighted() && !panic) {
      List<HostPicker> pickers = new ArrayList<>();
      List<Long> weights = new ArrayList<>();
      for (LocalityHosts l : localityHosts) {
        long effective = effectiveWeight(l, set, overprovisioningFactor);
        if (effective > 0 && !l.hosts(set).isEmpty()) {
          pickers.add(hostPicker(policy, l.hosts(set).toArray(new EndpointState[0]), start));
          weights.add(effective);
        }
      }
      if (!pickers.isEmpty()) {
        long[] cumulative = new long[weights.size()];
        long sum = 0;
        for (int i = 0; i < cumulative.length; i++) {
          sum += weights.get(i);
          cumulative[i] = sum;
        }
        return new PriorityPicker(null, pickers.toArray(new HostPicker[0]), cumulative);
      }
      // No locality with weight and endpoints in the set: Envoy falls back to all of the priority's endpoints in it.
    }
    return new PriorityPicker(hostPicker(policy, source.toArray(new EndpointState[0]), start), null, null);
  }

  /**
   * Envoy's {@code effectiveLocalityWeight}: {@code weight * min(1, overprovisioning * healthy / hosts)}, with the
   * degraded count instead for the degraded set.
   */
  private static long effectiveWeight(LocalityHosts l, HostSet set, int overprovisioningFactor) {
    if (l.all.isEmpty()) {
      return 0;
    }
    double availability = Math.min(1.0, overprovisioningFactor / 100.0 * l.hosts(set).size() / l.all.size());
    return (long) (l.weight * availability);
  }

  private static HostPicker hostPicker(LbPolicy policy, EndpointState[] hosts, long start) {
    if (policy instanceof LbPolicy.LeastRequest lr) {
      return new LeastRequestHostPicker(hosts, lr.choiceCount(), lr.activeRequestBias());
    }
    if (policy instanceof LbPolicy.Random) {
      return new RandomHostPicker(hosts);
    }
    return new RoundRobinHostPicker(hosts, start);
  }

  /**
   * Envoy's {@code normalizeWeights}: endpoint weights normalized to sum 1, within each locality scaled by the
   * locality's share of the locality weights when locality weighting is on.
   */
  private static PriorityPicker hashBased(
      List<LocalityHosts> localityHosts, HostSet set, LoadBalancerConfig config, LbPolicy policy) {
    List<EndpointState> hosts = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    long localitySum = 0;
    if (config.localityWeighted()) {
      for (LocalityHosts l : localityHosts) {
        if (!l.hosts(set).isEmpty()) {
          localitySum += l.weight;
        }
      }
    }
    if (localitySum > 0) {
      for (LocalityHosts l : localityHosts) {
        List<EndpointState> source = l.hosts(set);
        if (l.weight == 0 || source.isEmpty()) {
          continue;
        }
        addNormalized(source, (double) l.weight / localitySum, hosts, weights);
      }
    } else {
      List<EndpointState> source = new ArrayList<>();
      for (LocalityHosts l : localityHosts) {
        source.addAll(l.hosts(set));
      }
      addNormalized(source, 1.0, hosts, weights);
    }
    EndpointState[] array = hosts.toArray(new EndpointState[0]);
    double[] normalized = new double[weights.size()];
    for (int i = 0; i < normalized.length; i++) {
      normalized[i] = weights.get(i);
    }
    HostPicker picker = policy instanceof LbPolicy.RingHash rh
        ? new RingHashHostPicker(array, normalized, rh.minimumRingSize(), rh.maximumRingSize())
        : new MaglevHostPicker(array, normalized, ((LbPolicy.Maglev) policy).tableSize());
    return new PriorityPicker(picker, null, null);
  }

  private static void addNormalized(
      List<EndpointState> source, double share, List<EndpointState> hosts, List<Double> weights) {
    long sum = 0;
    for (EndpointState s : source) {
      sum += s.endpoint().weight();
    }
    for (EndpointState s : source) {
      hosts.add(s);
      weights.add(share * s.endpoint().weight() / sum);
    }
  }
}

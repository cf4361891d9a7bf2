package io.mesh4j.runtime.cluster;

/**
 * LEAST_REQUEST as Envoy's {@code LeastRequestLoadBalancer}:
 *
 * <ul>
 *   <li>equal weights: {@code choice_count} endpoints drawn at random (with replacement), the one with the fewest
 *       active requests wins, the first drawn on ties;
 *   <li>unequal weights: each endpoint's weight becomes {@code weight / (active + 1)^active_request_bias} at the moment
 *       of the pick. Envoy feeds these weights to its EDF scheduler; here one endpoint is drawn with probability
 *       proportional to them, which gives the same shares without a scheduler that must be locked. The draw is by
 *       rejection: an endpoint proposed in proportion to its configured weight (an alias table, O(1)) is taken with
 *       probability {@code 1 / (active + 1)^active_request_bias}, which makes each taken endpoint's chance exactly
 *       proportional to its share; after {@value #PROPOSALS} refusals (every endpoint busy) one pass over the shares
 *       decides, with the same distribution.
 * </ul>
 */
final class LeastRequestHostPicker implements HostPicker {
  /** Proposals before the exact pass: at most 1 in 256 picks gets that far while endpoints have one request each. */
  static final int PROPOSALS = 8;

  private final EndpointState[] hosts;
  private final double[] weights;
  private final boolean equalWeights;
  private final int choiceCount;
  private final double bias;
  /** Vose's alias table over the configured weights: slot i keeps itself with probability keep[i], else alias[i]. */
  private final double[] keep;
  private final int[] alias;

  LeastRequestHostPicker(EndpointState[] hosts, int choiceCount, double activeRequestBias) {
    this.hosts = hosts;
    this.choiceCount = choiceCount;
    this.bias = activeRequestBias;
    this.weights = new double[hosts.length];
    boolean equal = true;
    for (int i = 0; i < hosts.length; i++) {
      weights[i] = hosts[i].endpoint().weight();
      equal &= weights[i] == weights[0];
    }
    this.equalWeights = equal;
    this.keep = new double[hosts.length];
    this.alias = new int[hosts.length];
    if (!equal) {
      buildAliasTable(weights, keep, alias);
    }
  }

  @Override
  public EndpointState pick(long hash, long random) {
    return equalWeights ? powerOfChoices(random) : weightedByRejection(random);
  }

  private EndpointState weightedByRejection(long random) {
    long r = random;
    for (int proposal = 0; proposal < PROPOSALS; proposal++) {
      int slot = HostPicker.index(r, hosts.length);
      r = HostPicker.mix(r + 0x9E3779B97F4A7C15L);
      EndpointState proposed = hosts[uniform(r) < keep[slot] ? slot : alias[slot]];
      r = HostPicker.mix(r + 0x9E3779B97F4A7C15L);
      if (accepts(uniform(r), proposed.active())) {
        return proposed;
      }
      r = HostPicker.mix(r + 0x9E3779B97F4A7C15L);
    }
    return weighted(r);
  }

  /** True with probability {@code 1 / (active + 1)^bias}, for {@code u} uniform in [0, 1). */
  private boolean accepts(double u, int active) {
    double activePlusOne = Math.max(1, active + 1.0);
    if (bias == 1.0) {
      return u * activePlusOne < 1.0;
    }
    return bias == 0.0 || u < Math.pow(activePlusOne, -bias);
  }

  private static double uniform(long random) {
    return (random >>> 11) * 0x1.0p-53;
  }

  /** Vose's method: O(n), exact up to rounding. */
  private static void buildAliasTable(double[] weights, double[] keep, int[] alias) {
    int n = weights.length;
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double[] scaled = new double[n];
    int[] small = new int[n];
    int[] large = new int[n];
    int smallCount = 0;
    int largeCount = 0;
    for (int i = 0; i < n; i++) {
      scaled[i] = weights[i] * n / total;
      if (scaled[i] < 1.0) {
        small[smallCount++] = i;
      } else {
        large[largeCount++] = i;
      }
    }
    while (smallCount > 0 && largeCount > 0) {
      int less = small[--smallCount];
      int more = large[--largeCount];
      keep[less] = scaled[less];
      alias[less] = more;
      scaled[more] = scaled[more] + scaled[less] - 1.0;
      if (scaled[more] < 1.0) {
        small[smallCount++] = more;
      } else {
        large[largeCount++] = more;
      }
    }
    // What is left is 1 up to rounding: keeps itself.
    while (largeCount > 0) {
      int i = large[--largeCount];
      keep[i] = 1.0;
      alias[i] = i;
    }
    while (smallCount > 0) {
      int i = small[--smallCount];
      keep[i] = 1.0;
      alias[i] = i;
    }
  }

  private EndpointState powerOfChoices(long random) {
    EndpointState best = null;
    long r = random;
    for (int i = 0; i < choiceCount; i++) {
      EndpointState sampled = hosts[HostPicker.index(r, hosts.length)];
      if (best == null || sampled.active() < best.active()) {
        best = sampled;
      }
      r = HostPicker.mix(r + 0x9E3779B97F4A7C15L);
    }
    return best;
  }

  /** Two passes instead of an array per pick; counts that move between the passes only shift the draw slightly. */
  private EndpointState weighted(long random) {
    double total = 0;
    for (int i = 0; i < hosts.length; i++) {
      total += weights[i] / scale(hosts[i].active() + 1.0);
    }
    double point = (random >>> 11) * 0x1.0p-53 * total;
    for (int i = 0; i < hosts.length; i++) {
      point -= weights[i] / scale(hosts[i].active() + 1.0);
      if (point < 0) {
        return hosts[i];
      }
    }
    return hosts[hosts.length - 1];
  }

  private double scale(double activePlusOne) {
    if (bias == 1.0) {
      return activePlusOne;
    }
    return bias == 0.0 ? 1.0 : Math.pow(activePlusOne, bias);
  }
}

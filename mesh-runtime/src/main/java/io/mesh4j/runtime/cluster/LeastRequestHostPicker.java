package io.mesh4j.runtime.cluster;

/**
 * LEAST_REQUEST as Envoy's {@code LeastRequestLoadBalancer}:
 *
 * <ul>
 *   <li>equal weights: {@code choice_count} endpoints drawn at random (with replacement), the one with the fewest
 *       active requests wins, the first drawn on ties;
 *   <li>unequal weights: each endpoint's weight becomes {@code weight / (active + 1)^active_request_bias} at the moment
 *       of the pick. Envoy feeds these weights to its EDF scheduler; here one endpoint is drawn with probability
 *       proportional to them, which gives the same shares without a scheduler that must be locked. O(endpoints).
 *       With the default bias of 1 the shares are computed in fixed point, {@code weight * 2^31 / (active + 1)} with
 *       the quotient from a table, so that a pick makes no division (relative error below 2^-21).
 * </ul>
 */
final class LeastRequestHostPicker implements HostPicker {
  /** {@code 2^31 / k} for {@code k} = active requests + 1 below the table's length. */
  private static final long[] SHARE_OF_ONE = new long[1024];
  /** Above this sum of weights the fixed-point shares could overflow: the picker then works in doubles. */
  private static final long MAX_FIXED_POINT_WEIGHTS = 1L << 31;

  static {
    for (int k = 1; k < SHARE_OF_ONE.length; k++) {
      SHARE_OF_ONE[k] = (1L << 31) / k;
    }
  }

  private final EndpointState[] hosts;
  private final double[] weights;
  private final long[] longWeights;
  private final boolean equalWeights;
  private final boolean fixedPoint;
  private final int choiceCount;
  private final double bias;

  LeastRequestHostPicker(EndpointState[] hosts, int choiceCount, double activeRequestBias) {
    this.hosts = hosts;
    this.choiceCount = choiceCount;
    this.bias = activeRequestBias;
    this.weights = new double[hosts.length];
    this.longWeights = new long[hosts.length];
    boolean equal = true;
    long sum = 0;
    for (int i = 0; i < hosts.length; i++) {
      longWeights[i] = hosts[i].endpoint().weight();
      weights[i] = longWeights[i];
      equal &= weights[i] == weights[0];
      sum += longWeights[i];
    }
    this.equalWeights = equal;
    this.fixedPoint = activeRequestBias == 1.0 && sum <= MAX_FIXED_POINT_WEIGHTS;
  }

  @Override
  public EndpointState pick(long hash, long random) {
    if (equalWeights) {
      return powerOfChoices(random);
    }
    return fixedPoint ? weightedFixedPoint(random) : weighted(random);
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

  /** {@link #weighted} for a bias of 1, in integers: the sum is at most 2^31 weights x 2^31, so it cannot overflow. */
  private EndpointState weightedFixedPoint(long random) {
    long total = 0;
    for (int i = 0; i < hosts.length; i++) {
      total += longWeights[i] * shareOfOne(hosts[i].active() + 1);
    }
    long point = Math.min(total - 1, (long) ((random >>> 11) * 0x1.0p-53 * total));
    for (int i = 0; i < hosts.length; i++) {
      point -= longWeights[i] * shareOfOne(hosts[i].active() + 1);
      if (point < 0) {
        return hosts[i];
      }
    }
    return hosts[hosts.length - 1];
  }

  /** {@code 2^31 / activePlusOne}; a count below one (which a balanced lease never leaves) counts as none. */
  private static long shareOfOne(int activePlusOne) {
    if (activePlusOne < SHARE_OF_ONE.length) {
      return SHARE_OF_ONE[Math.max(1, activePlusOne)];
    }
    return (1L << 31) / activePlusOne;
  }

  private double scale(double activePlusOne) {
    if (bias == 1.0) {
      return activePlusOne;
    }
    return bias == 0.0 ? 1.0 : Math.pow(activePlusOne, bias);
  }
}

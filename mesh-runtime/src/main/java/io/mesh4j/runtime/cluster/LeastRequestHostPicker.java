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
 * </ul>
 */
final class LeastRequestHostPicker implements HostPicker {
  private final EndpointState[] hosts;
  private final double[] weights;
  private final boolean equalWeights;
  private final int choiceCount;
  private final double bias;

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
  }

  @Override
  public EndpointState pick(long hash, long random) {
    return equalWeights ? powerOfChoices(random) : weighted(random);
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

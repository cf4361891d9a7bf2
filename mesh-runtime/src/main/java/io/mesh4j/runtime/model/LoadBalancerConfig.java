package io.mesh4j.runtime.model;

import java.util.Objects;

/**
 * How a cluster balances: the policy and the {@code common_lb_config} settings that apply to every policy.
 *
 * @param healthyPanicThreshold {@code common_lb_config.healthy_panic_threshold} in percent (Envoy's default 50; 0
 *     disables panic): below it a priority balances over all its endpoints, healthy or not
 * @param localityWeighted whether locality weights are honoured ({@code locality_weighted_lb_config} in
 *     {@code common_lb_config} or in the typed policy's {@code locality_lb_config}); Envoy ignores locality weights
 *     otherwise
 */
public record LoadBalancerConfig(LbPolicy policy, double healthyPanicThreshold, boolean localityWeighted) {
  public static final double DEFAULT_HEALTHY_PANIC_THRESHOLD = 50.0;
  public static final LoadBalancerConfig DEFAULT =
      new LoadBalancerConfig(new LbPolicy.RoundRobin(), DEFAULT_HEALTHY_PANIC_THRESHOLD, false);

  public LoadBalancerConfig {
    Objects.requireNonNull(policy, "policy");
    if (!(healthyPanicThreshold >= 0 && healthyPanicThreshold <= 100)) {
      throw new IllegalArgumentException("healthyPanicThreshold must be in [0, 100]: " + healthyPanicThreshold);
    }
  }
}

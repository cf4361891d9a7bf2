package io.mesh4j.runtime.cluster;

/**
 * Envoy's priority-level load computation ({@code LoadBalancerBase}: {@code recalculatePerPriorityState},
 * {@code recalculatePerPriorityPanic}, {@code recalculateLoadInTotalPanic}), as integer percentages.
 *
 * <p>A priority's health is {@code min(100, overprovisioning_factor * healthy / hosts)} (host counts, as Envoy
 * without {@code weighted_priority_health}); the sum capped at 100 is the normalized availability; load goes to the
 * highest priorities first, each getting at most {@code health * 100 / normalized}, and rounding leftovers go to the
 * first priority with health. A priority is in panic when fewer than {@code healthy_panic_threshold} percent of its
 * hosts are healthy, unless the normalized availability is 100; a priority in panic balances over all its hosts. When
 * every priority is in panic, load is spread by host count. With no healthy host and panic disabled, all load goes
 * to priority 0, which then has nothing to pick.
 */
final class PriorityLoad {
  private final int[] load;
  private final boolean[] panic;

  private PriorityLoad(int[] load, boolean[] panic) {
    this.load = load;
    this.panic = panic;
  }

  /**
   * @param hosts the number of hosts at each priority
   * @param healthy the number of healthy hosts at each priority
   * @param overprovisioningFactor in percent (140 is Envoy's 1.4)
   * @param panicThreshold {@code healthy_panic_threshold} in percent; 0 disables panic
   */
  static PriorityLoad compute(int[] hosts, int[] healthy, int overprovisioningFactor, double panicThreshold) {
    int n = hosts.length;
    int[] load = new int[n];
    boolean[] panic = new boolean[n];
    if (n == 0) {
      return new PriorityLoad(load, panic);
    }
    long[] health = new long[n];
    long sum = 0;
    for (int i = 0; i < n; i++) {
      health[i] = hosts[i] == 0 ? 0 : Math.min(100, (long) overprovisioningFactor * healthy[i] / hosts[i]);
      sum += health[i];
    }
    long normalized = Math.min(100, sum);
    if (normalized > 0) {
      long remaining = 100;
      int firstHealthy = -1;
      for (int i = 0; i < n; i++) {
        if (firstHealthy < 0 && health[i] > 0) {
          firstHealthy = i;
        }
        load[i] = (int) Math.min(remaining, health[i] * 100 / normalized);
        remaining -= load[i];
      }
      load[firstHealthy] += (int) remaining;
    }
    if (normalized == 0 && panicThreshold == 0) {
      load[0] = 100;
      return new PriorityLoad(load, panic);
    }
    boolean allPanic = true;
    for (int i = 0; i < n; i++) {
      panic[i] = normalized != 100 && inPanic(hosts[i], healthy[i], panicThreshold);
      allPanic &= panic[i];
    }
    if (allPanic) {
      spreadByHostCount(hosts, load);
    }
    return new PriorityLoad(load, panic);
  }

  private static boolean inPanic(int hosts, int healthy, double threshold) {
    double healthyPercent = hosts == 0 ? 0.0 : 100.0 * healthy / hosts;
    return healthyPercent < threshold;
  }

  private static void spreadByHostCount(int[] hosts, int[] load) {
    long total = 0;
    for (int h : hosts) {
      total += h;
    }
    if (total == 0) {
      return;
    }
    int remaining = 100;
    int firstNonEmpty = -1;
    for (int i = 0; i < hosts.length; i++) {
      if (firstNonEmpty < 0 && hosts[i] > 0) {
        firstNonEmpty = i;
      }
      load[i] = (int) (100L * hosts[i] / total);
      remaining -= load[i];
    }
    load[firstNonEmpty] += remaining;
  }

  /** Percent of requests for the priority; the values sum to 100 (or 0 when there are no hosts at all). */
  int load(int priority) {
    return load[priority];
  }

  /** Whether the priority balances over all its hosts rather than its healthy ones. */
  boolean panic(int priority) {
    return panic[priority];
  }

  int priorities() {
    return load.length;
  }
}

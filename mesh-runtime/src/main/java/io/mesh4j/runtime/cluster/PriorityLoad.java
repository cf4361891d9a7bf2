package io.mesh4j.runtime.cluster;

import java.util.Arrays;

/**
 * Envoy's priority-level load computation ({@code LoadBalancerBase}: {@code recalculatePerPriorityState},
 * {@code recalculatePerPriorityPanic}, {@code recalculateLoadInTotalPanic}), as integer percentages, split as Envoy
 * splits it into a healthy load and a degraded load per priority.
 *
 * <p>A priority's healthy availability is {@code min(100, overprovisioning_factor * healthy / hosts)} and its degraded
 * availability {@code min(100, overprovisioning_factor * degraded / hosts)} (host counts, as Envoy without
 * {@code weighted_priority_health}); the sum of both over all priorities, capped at 100, is the normalized
 * availability. The 100 % are handed out first as healthy load to the priorities in order, each getting at most
 * {@code healthy_availability * 100 / normalized}, then what remains as degraded load in order, each at most
 * {@code degraded_availability * 100 / normalized}; the rounding leftover goes to the first priority with healthy
 * availability (as healthy load), else to the first with degraded availability (as degraded load). So degraded hosts
 * take traffic only when the healthy ones of every priority are not enough.
 *
 * <p>A priority is in panic when fewer than {@code healthy_panic_threshold} percent of its hosts are healthy or
 * degraded, unless the normalized availability is 100; a priority in panic balances over all its hosts. When every
 * priority is in panic, load is spread by host count (all of it as healthy load, which in panic means all hosts).
 * With no healthy or degraded host and panic disabled, all load goes to priority 0, which then has nothing to pick.
 */
final class PriorityLoad {
  private final int[] healthyLoad;
  private final int[] degradedLoad;
  private final boolean[] panic;

  private PriorityLoad(int[] healthyLoad, int[] degradedLoad, boolean[] panic) {
    this.healthyLoad = healthyLoad;
    this.degradedLoad = degradedLoad;
    this.panic = panic;
  }

  /** Without degraded hosts. */
  static PriorityLoad compute(int[] hosts, int[] healthy, int overprovisioningFactor, double panicThreshold) {
    return compute(hosts, healthy, new int[hosts.length], overprovisioningFactor, panicThreshold);
  }

  /**
   * @param hosts the number of hosts at each priority
   * @param healthy the number of healthy hosts at each priority
   * @param degraded the number of degraded hosts at each priority (not counted in {@code healthy})
   * @param overprovisioningFactor in percent (140 is Envoy's 1.4)
   * @param panicThreshold {@code healthy_panic_threshold} in percent; 0 disables panic
   */
  static PriorityLoad compute(
      int[] hosts, int[] healthy, int[] degraded, int overprovisioningFactor, double panicThreshold) {
    int n = hosts.length;
    int[] healthyLoad = new int[n];
    int[] degradedLoad = new int[n];
    boolean[] panic = new boolean[n];
    if (n == 0) {
      return new PriorityLoad(healthyLoad, degradedLoad, panic);
    }
    long[] healthyAvailability = availability(hosts, healthy, overprovisioningFactor);
    long[] degradedAvailability = availability(hosts, degraded, overprovisioningFactor);
    long normalized = Math.min(100, sum(healthyAvailability) + sum(degradedAvailability));
    if (normalized > 0) {
      int firstHealthy = firstPositive(healthyAvailability);
      int remaining = distribute(healthyAvailability, 100, normalized, healthyLoad);
      remaining = distribute(degradedAvailability, remaining, normalized, degradedLoad);
      if (firstHealthy >= 0) {
        healthyLoad[firstHealthy] += remaining;
      } else {
        degradedLoad[firstPositive(degradedAvailability)] += remaining;
      }
    }
    if (normalized == 0 && panicThreshold == 0) {
      healthyLoad[0] = 100;
      return new PriorityLoad(healthyLoad, degradedLoad, panic);
    }
    boolean allPanic = true;
    for (int i = 0; i < n; i++) {
      panic[i] = normalized != 100 && inPanic(hosts[i], healthy[i] + degraded[i], panicThreshold);
      allPanic &= panic[i];
    }
    if (allPanic) {
      Arrays.fill(degradedLoad, 0);
      spreadByHostCount(hosts, healthyLoad);
    }
    return new PriorityLoad(healthyLoad, degradedLoad, panic);
  }

  private static long[] availability(int[] hosts, int[] counted, int overprovisioningFactor) {
    long[] availability = new long[hosts.length];
    for (int i = 0; i < hosts.length; i++) {
      availability[i] = hosts[i] == 0 ? 0 : Math.min(100, (long) overprovisioningFactor * counted[i] / hosts[i]);
    }
    return availability;
  }

  private static long sum(long[] values) {
    long sum = 0;
    for (long v : values) {
      sum += v;
    }
    return sum;
  }

  private static int firstPositive(long[] values) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] > 0) {
        return i;
      }
    }
    return -1;
  }

  /** Envoy's {@code distributeLoad}: fills {@code load} in priority order; returns what is left of {@code total}. */
  private static int distribute(long[] availability, int total, long normalized, int[] load) {
    int remaining = total;
    for (int i = 0; i < availability.length; i++) {
      load[i] = (int) Math.min(remaining, availability[i] * 100 / normalized);
      remaining -= load[i];
    }
    return remaining;
  }

  private static boolean inPanic(int hosts, int usable, double threshold) {
    double usablePercent = hosts == 0 ? 0.0 : 100.0 * usable / hosts;
    return usablePercent < threshold;
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

  /** Percent of requests for the priority, healthy and degraded; the values sum to 100 (or 0 with no host at all). */
  int load(int priority) {
    return healthyLoad[priority] + degradedLoad[priority];
  }

  /** Percent of requests for the priority's healthy hosts (all its hosts when in panic). */
  int healthyLoad(int priority) {
    return healthyLoad[priority];
  }

  /** Percent of requests for the priority's degraded hosts (all its hosts when in panic). */
  int degradedLoad(int priority) {
    return degradedLoad[priority];
  }

  /** Whether the priority balances over all its hosts rather than its healthy (or degraded) ones. */
  boolean panic(int priority) {
    return panic[priority];
  }

  int priorities() {
    return healthyLoad.length;
  }
}

package io.mesh4j.runtime.policy;

import io.mesh4j.runtime.model.OutlierDetectionConfig;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Envoy's outlier detection for one cluster: consecutive 5xx and consecutive gateway failures eject an endpoint at
 * once; success rate and failure percentage are judged at each {@code interval} sweep, which also returns ejected
 * endpoints whose time is up. The n-th ejection in a row lasts base x n (capped by {@code max_ejection_time}); each
 * sweep that finds an endpoint not ejected lowers its n by one. At most {@code max_ejection_percent} of the
 * endpoints are ejected at a time ({@code (ejected + 1) / hosts <= max}, or the first one if
 * {@code always_eject_one_host}).
 *
 * <p>Counting is lock-free (atomics per endpoint); ejecting and sweeping take this detector's monitor, which the
 * request path only meets when an endpoint crosses a threshold. Endpoints are keyed by {@code host:port}.
 */
public final class OutlierDetector {
  private final OutlierDetectionConfig config;
  private final PolicyEnvironment env;
  private final Map<String, HostMonitor> hosts = new ConcurrentHashMap<>();
  private final AtomicInteger ejected = new AtomicInteger();
  /** Envoy's {@code ejections_enforced_total}; shared with the detectors before and after a settings change. */
  private final AtomicLong ejectionsEnforced;
  /** Told when an endpoint is ejected or returns, so that the cluster replans its load (as connectivity changes do). */
  private volatile Runnable ejectionListener = () -> {};

  public OutlierDetector(OutlierDetectionConfig config, PolicyEnvironment env) {
    this(config, env, new AtomicLong());
  }

  /**
   * @param ejectionsEnforced where enforced ejections are counted, so that the count of a cluster goes on across
   *     detectors when its outlier settings change
   */
  public OutlierDetector(OutlierDetectionConfig config, PolicyEnvironment env, AtomicLong ejectionsEnforced) {
    this.config = Objects.requireNonNull(config, "config");
    this.env = Objects.requireNonNull(env, "env");
    this.ejectionsEnforced = Objects.requireNonNull(ejectionsEnforced, "ejectionsEnforced");
    scheduleSweep(new WeakReference<>(this), env.sweepScheduler(), config.intervalNanos());
  }

  /**
   * The sweep holds the detector weakly: when the cluster is removed and its detector collected, the timer stops.
   */
  private static void scheduleSweep(WeakReference<OutlierDetector> ref, Scheduler scheduler, long interval) {
    scheduler.schedule(() -> {
      OutlierDetector detector = ref.get();
      if (detector != null) {
        detector.sweep();
        scheduleSweep(ref, scheduler, interval);
      }
    }, interval);
  }

  public OutlierDetectionConfig config() {
    return config;
  }

  /**
   * Runs {@code listener} after each ejection and after each sweep that returned endpoints. Called while this
   * detector's monitor is held: the listener must not call back into ejection (replanning only reads
   * {@link #isEjected}, which is lock-free).
   */
  public void onEjectionChange(Runnable listener) {
    this.ejectionListener = listener;
  }

  /** The cluster's current endpoints: new ones start clean, removed ones are forgotten (and un-ejected). */
  public synchronized void setHosts(Collection<String> keys) {
    Set<String> keep = new HashSet<>(keys);
    hosts.entrySet().removeIf(e -> {
      if (!keep.contains(e.getKey())) {
        if (e.getValue().ejected) {
          ejected.decrementAndGet();
        }
        return true;
      }
      return false;
    });
    for (String key : keep) {
      hosts.computeIfAbsent(key, k -> new HostMonitor());
    }
  }

  /** Whether the endpoint is ejected now; lock-free. */
  public boolean isEjected(String key) {
    if (ejected.get() == 0) {
      return false;
    }
    HostMonitor monitor = hosts.get(key);
    return monitor != null && monitor.ejected;
  }

  public int ejectedCount() {
    return ejected.get();
  }

  /**
   * Ejections enforced so far (Envoy's {@code outlier_detection.ejections_enforced_total}): not those the enforcing
   * percentage skipped, nor those {@code max_ejection_percent} refused.
   */
  public long ejectionsEnforced() {
    return ejectionsEnforced.get();
  }

  /**
   * Records one attempt's outcome.
   *
   * @param status the response status, or the status a local failure stands for (503, or 504 for a timeout)
   */
  public void record(String key, int status) {
    HostMonitor monitor = hosts.get(key);
    if (monitor == null) {
      return;
    }
    if (status < 500) {
      // Every caller of this endpoint passes here: a per-thread adder, and runs reset only when there is a run, so
      // that successes do not all write the same cache lines.
      monitor.success.increment();
      if (monitor.consecutive5xx.get() != 0) {
        monitor.consecutive5xx.set(0);
      }
      if (monitor.consecutiveGateway.get() != 0) {
        monitor.consecutiveGateway.set(0);
      }
      return;
    }
    monitor.failure.increment();
    boolean gateway = status >= 502 && status <= 504;
    int gatewayRun = gateway ? monitor.consecutiveGateway.incrementAndGet() : 0;
    if (!gateway) {
      monitor.consecutiveGateway.set(0);
    }
    int run = monitor.consecutive5xx.incrementAndGet();
    // == rather than >=: one ejection attempt per run, as Envoy.
    if (run == config.consecutive5xx()) {
      tryEject(monitor, config.enforcingConsecutive5xx());
    }
    if (gateway && gatewayRun == config.consecutiveGatewayFailure()) {
      tryEject(monitor, config.enforcingConsecutiveGatewayFailure());
    }
  }

  /** Records a failure that produced no response. */
  public void record(String key, AttemptFailure failure) {
    record(key, failure.equivalentStatus());
  }

  /** One interval's work: un-eject, lower multipliers, judge success rate and failure percentage, reset counts. */
  synchronized void sweep() {
    long now = env.nanoClock().getAsLong();
    List<HostMonitor> volumeForSuccessRate = new ArrayList<>();
    List<HostMonitor> volumeForFailurePercentage = new ArrayList<>();
    boolean returned = false;
    for (HostMonitor monitor : hosts.values()) {
      long success = monitor.success.sumThenReset();
      long failure = monitor.failure.sumThenReset();
      if (monitor.ejected) {
        if (now - monitor.ejectedAtNanos >= monitor.ejectionNanos) {
          monitor.ejected = false;
          monitor.consecutive5xx.set(0);
          monitor.consecutiveGateway.set(0);
          ejected.decrementAndGet();
          returned = true;
        }
        continue;
      }
      if (monitor.ejections > 0) {
        monitor.ejections--;
      }
      long total = success + failure;
      monitor.intervalSuccessRate = total == 0 ? 100.0 : 100.0 * success / total;
      if (total >= config.successRateRequestVolume()) {
        volumeForSuccessRate.add(monitor);
      }
      if (total >= config.failurePercentageRequestVolume()) {
        volumeForFailurePercentage.add(monitor);
      }
    }
    if (returned) {
      ejectionListener.run();
    }
    judgeSuccessRate(volumeForSuccessRate);
    judgeFailurePercentage(volumeForFailurePercentage);
  }

  private void judgeSuccessRate(List<HostMonitor> candidates) {
    if (candidates.isEmpty() || candidates.size() < config.successRateMinimumHosts()) {
      return;
    }
    double sum = 0;
    for (HostMonitor m : candidates) {
      sum += m.intervalSuccessRate;
    }
    double mean = sum / candidates.size();
    double squares = 0;
    for (HostMonitor m : candidates) {
      squares += (m.intervalSuccessRate - mean) * (m.intervalSuccessRate - mean);
    }
    double stdev = Math.sqrt(squares / candidates.size());
    double threshold = mean - (config.successRateStdevFactor() / 1000.0) * stdev;
    for (HostMonitor m : candidates) {
      if (m.intervalSuccessRate < threshold) {
        tryEject(m, config.enforcingSuccessRate());
      }
    }
  }

  private void judgeFailurePercentage(List<HostMonitor> candidates) {
    if (candidates.isEmpty() || candidates.size() < config.failurePercentageMinimumHosts()) {
      return;
    }
    for (HostMonitor m : candidates) {
      if (100.0 - m.intervalSuccessRate > config.failurePercentageThreshold()) {
        tryEject(m, config.enforcingFailurePercentage());
      }
    }
  }

  private synchronized void tryEject(HostMonitor monitor, int enforcingPercent) {
    if (monitor.ejected || hosts.isEmpty()) {
      return;
    }
    if (env.random().getAsLong() % 100 >= enforcingPercent) {
      return;
    }
    int active = ejected.get();
    boolean withinLimit = 100.0 * (active + 1) / hosts.size() <= config.maxEjectionPercent();
    if (!withinLimit && !(config.alwaysEjectOneHost() && active == 0)) {
      return;
    }
    monitor.ejections++;
    long jitter = config.maxEjectionTimeJitterNanos() == 0
        ? 0
        : env.random().getAsLong() % (config.maxEjectionTimeJitterNanos() + 1);
    monitor.ejectionNanos = config.ejectionNanos(monitor.ejections) + jitter;
    monitor.ejectedAtNanos = env.nanoClock().getAsLong();
    monitor.ejected = true;
    ejected.incrementAndGet();
    ejectionsEnforced.incrementAndGet();
    ejectionListener.run();
  }

  /** What the detector knows of one endpoint. Counters are atomics; the rest changes under the detector's lock. */
  private static final class HostMonitor {
    final AtomicInteger consecutive5xx = new AtomicInteger();
    final AtomicInteger consecutiveGateway = new AtomicInteger();
    final LongAdder success = new LongAdder();
    final LongAdder failure = new LongAdder();
    volatile boolean ejected;
    long ejectedAtNanos;
    long ejectionNanos;
    int ejections;
    double intervalSuccessRate;
  }
}

package io.mesh4j.runtime.policy;

import io.mesh4j.runtime.model.OutlierDetectionConfig;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live resilience state of one cluster: circuit-breaker counters and outlier detection. Outlives the cluster's
 * runtime objects: when the cluster or its endpoints change, the next runtime takes this state over
 * ({@link #carryOver}), so counters and ejections survive config updates.
 */
public final class ClusterPolicyState {
  private final CircuitBreaker breaker;
  private final OutlierDetector outliers;
  /** Ejections enforced by this cluster's detectors, this one and those before a change of outlier settings. */
  private final AtomicLong ejectionsEnforced;

  private ClusterPolicyState(CircuitBreaker breaker, OutlierDetectionConfig outlierDetection, PolicyEnvironment env,
      AtomicLong ejectionsEnforced) {
    this.breaker = breaker;
    this.ejectionsEnforced = ejectionsEnforced;
    this.outliers = outlierDetection == null ? null : new OutlierDetector(outlierDetection, env, ejectionsEnforced);
  }

  /** @param outlierDetection {@code null} when the cluster has none */
  public static ClusterPolicyState create(OutlierDetectionConfig outlierDetection, PolicyEnvironment env) {
    return new ClusterPolicyState(new CircuitBreaker(), outlierDetection, env, new AtomicLong());
  }

  /**
   * The state for the cluster's next configuration: this one while the outlier detection config is unchanged;
   * otherwise the same counters with a fresh detector (the new thresholds start over, as a new Envoy cluster does;
   * the count of enforced ejections goes on, as a counter must).
   */
  public ClusterPolicyState carryOver(OutlierDetectionConfig outlierDetection, PolicyEnvironment env) {
    OutlierDetectionConfig current = outliers == null ? null : outliers.config();
    if (Objects.equals(current, outlierDetection)) {
      return this;
    }
    return new ClusterPolicyState(breaker, outlierDetection, env, ejectionsEnforced);
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  /** The detector, or {@code null} when the cluster has no outlier detection. */
  public OutlierDetector outliers() {
    return outliers;
  }

  /** Ejections outlier detection enforced in this cluster so far ({@link OutlierDetector#ejectionsEnforced}). */
  public long ejectionsEnforced() {
    return ejectionsEnforced.get();
  }

  /** The endpoints now in the cluster, as {@code host:port}. */
  public void setHosts(Collection<String> keys) {
    if (outliers != null) {
      outliers.setHosts(keys);
    }
  }

  /** Runs {@code listener} whenever an endpoint is ejected or returns (see {@link OutlierDetector#onEjectionChange}). */
  public void onEjectionChange(Runnable listener) {
    if (outliers != null) {
      outliers.onEjectionChange(listener);
    }
  }

  public boolean isEjected(String key) {
    return outliers != null && outliers.isEjected(key);
  }

  /** @param status the response status, or what a local failure stands for ({@link AttemptFailure}) */
  public void attemptFinished(String key, int status) {
    if (outliers != null) {
      outliers.record(key, status);
    }
  }
}

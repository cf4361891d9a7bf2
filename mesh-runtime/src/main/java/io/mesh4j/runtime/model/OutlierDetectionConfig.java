package io.mesh4j.runtime.model;

import java.time.Duration;

/**
 * A cluster's {@code outlier_detection}, Envoy's defaults for unset fields (durations in nanoseconds, percentages
 * 0-100). Locally originated failures (connect failures, resets, timeouts) count as 503/504 responses, as Envoy
 * does when {@code split_external_local_origin_errors} is false (the only mode supported).
 */
public record OutlierDetectionConfig(
    int consecutive5xx,
    int consecutiveGatewayFailure,
    long intervalNanos,
    long baseEjectionTimeNanos,
    long maxEjectionTimeNanos,
    long maxEjectionTimeJitterNanos,
    int maxEjectionPercent,
    int enforcingConsecutive5xx,
    int enforcingConsecutiveGatewayFailure,
    int enforcingSuccessRate,
    int successRateMinimumHosts,
    int successRateRequestVolume,
    int successRateStdevFactor,
    int failurePercentageThreshold,
    int enforcingFailurePercentage,
    int failurePercentageMinimumHosts,
    int failurePercentageRequestVolume,
    boolean alwaysEjectOneHost) {

  public static final OutlierDetectionConfig DEFAULT = new OutlierDetectionConfig(
      5, 5, Duration.ofSeconds(10).toNanos(), Duration.ofSeconds(30).toNanos(), Duration.ofSeconds(300).toNanos(), 0,
      10, 100, 0, 100, 5, 100, 1900, 85, 0, 5, 50, false);

  public OutlierDetectionConfig {
    if (intervalNanos <= 0 || baseEjectionTimeNanos <= 0) {
      throw new IllegalArgumentException("interval and base_ejection_time must be positive");
    }
  }

  /** How long the {@code n}th consecutive ejection lasts: base x n, capped at max (or base if max is smaller). */
  public long ejectionNanos(int ejections) {
    long cap = Math.max(baseEjectionTimeNanos, maxEjectionTimeNanos);
    if (ejections > cap / baseEjectionTimeNanos) {
      return cap;
    }
    return Math.min(cap, baseEjectionTimeNanos * ejections);
  }
}

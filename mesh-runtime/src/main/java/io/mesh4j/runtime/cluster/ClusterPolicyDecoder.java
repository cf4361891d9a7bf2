package io.mesh4j.runtime.cluster;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.mesh4j.runtime.model.CircuitBreakerThresholds;
import io.mesh4j.runtime.model.OutlierDetectionConfig;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ProtoDurations;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.time.Duration;
import java.util.Set;

/**
 * A cluster's {@code circuit_breakers} and {@code outlier_detection}, with Envoy's defaults.
 *
 * <p>Circuit breakers: the DEFAULT-priority thresholds' {@code max_connections}, {@code max_pending_requests},
 * {@code max_requests}, {@code max_retries} (see {@link CircuitBreakerThresholds} for what a connection is here);
 * HIGH-priority thresholds are accepted and noted, since every route is DEFAULT priority; {@code track_remaining}
 * is noted (no stats). Rejected: {@code retry_budget}, {@code max_connection_pools}, {@code per_host_thresholds},
 * a second set of thresholds for the same priority.
 *
 * <p>Outlier detection: everything but the local-origin split, which is rejected when
 * {@code split_external_local_origin_errors} is true; the local-origin-only fields are noted (they have no effect
 * without it), as is {@code successful_active_health_check_uneject_host} (no active health checks);
 * {@code monitors} (and any field added later) is rejected.
 */
final class ClusterPolicyDecoder {
  private static final Set<String> THRESHOLDS_HANDLED =
      Set.of("priority", "max_connections", "max_pending_requests", "max_requests", "max_retries");
  private static final Set<String> THRESHOLDS_IGNORABLE = Set.of("track_remaining");

  private static final Set<String> OUTLIER_HANDLED = Set.of("consecutive_5xx", "interval", "base_ejection_time",
      "max_ejection_percent", "enforcing_consecutive_5xx", "enforcing_success_rate", "success_rate_minimum_hosts",
      "success_rate_request_volume", "success_rate_stdev_factor", "consecutive_gateway_failure",
      "enforcing_consecutive_gateway_failure", "failure_percentage_threshold", "enforcing_failure_percentage",
      "failure_percentage_minimum_hosts", "failure_percentage_request_volume", "max_ejection_time",
      "max_ejection_time_jitter", "always_eject_one_host", "split_external_local_origin_errors");
  private static final Set<String> OUTLIER_IGNORABLE = Set.of("consecutive_local_origin_failure",
      "enforcing_consecutive_local_origin_failure", "enforcing_local_origin_success_rate",
      "enforcing_failure_percentage_local_origin", "successful_active_health_check_uneject_host");

  private ClusterPolicyDecoder() {}

  static CircuitBreakerThresholds circuitBreakers(CircuitBreakers breakers, DecodeContext context)
      throws ResourceInvalidException {
    if (breakers.getPerHostThresholdsCount() > 0) {
      throw new ResourceInvalidException("circuit_breakers.per_host_thresholds: not supported yet");
    }
    FieldAllowList.check(breakers, "circuit_breakers.", Set.of("thresholds"), Set.of(), "CDS", context);
    CircuitBreakerThresholds result = CircuitBreakerThresholds.DEFAULT;
    boolean seenDefault = false;
    boolean seenHigh = false;
    for (int i = 0; i < breakers.getThresholdsCount(); i++) {
      CircuitBreakers.Thresholds t = breakers.getThresholds(i);
      String path = "circuit_breakers.thresholds[" + i + "].";
      if (t.hasRetryBudget()) {
        throw new ResourceInvalidException(path + "retry_budget: not supported yet");
      }
      if (t.hasMaxConnectionPools()) {
        throw new ResourceInvalidException(path + "max_connection_pools: not supported yet");
      }
      FieldAllowList.check(t, path, THRESHOLDS_HANDLED, THRESHOLDS_IGNORABLE, "CDS", context);
      if (t.getPriority() == RoutingPriority.HIGH) {
        if (seenHigh) {
          throw new ResourceInvalidException(path + "priority: HIGH thresholds are given twice");
        }
        seenHigh = true;
        context.ignoredField("CDS: circuit_breakers.thresholds with priority HIGH (every route is DEFAULT priority)");
        continue;
      }
      if (t.getPriority() != RoutingPriority.DEFAULT) {
        throw new ResourceInvalidException(path + "priority: unknown priority " + t.getPriorityValue());
      }
      if (seenDefault) {
        throw new ResourceInvalidException(path + "priority: DEFAULT thresholds are given twice");
      }
      seenDefault = true;
      result = new CircuitBreakerThresholds(
          limit(t.hasMaxConnections(), t.getMaxConnections(), CircuitBreakerThresholds.DEFAULT_MAX_CONNECTIONS),
          limit(t.hasMaxPendingRequests(), t.getMaxPendingRequests(),
              CircuitBreakerThresholds.DEFAULT_MAX_PENDING_REQUESTS),
          limit(t.hasMaxRequests(), t.getMaxRequests(), CircuitBreakerThresholds.DEFAULT_MAX_REQUESTS),
          limit(t.hasMaxRetries(), t.getMaxRetries(), CircuitBreakerThresholds.DEFAULT_MAX_RETRIES));
    }
    return result;
  }

  private static long limit(boolean set, UInt32Value value, long envoyDefault) {
    return set ? Integer.toUnsignedLong(value.getValue()) : envoyDefault;
  }

  static OutlierDetectionConfig outlierDetection(OutlierDetection od, DecodeContext context)
      throws ResourceInvalidException {
    String p = "outlier_detection.";
    FieldAllowList.check(od, p, OUTLIER_HANDLED, OUTLIER_IGNORABLE, "CDS", context);
    if (od.getSplitExternalLocalOriginErrors()) {
      throw new ResourceInvalidException(p + "split_external_local_origin_errors: not supported (only false)");
    }
    OutlierDetectionConfig d = OutlierDetectionConfig.DEFAULT;
    long interval = positive(od.hasInterval(), od.getInterval(), d.intervalNanos(), p + "interval");
    long base = positive(od.hasBaseEjectionTime(), od.getBaseEjectionTime(), d.baseEjectionTimeNanos(),
        p + "base_ejection_time");
    long maxTime = od.hasMaxEjectionTime()
        ? ProtoDurations.valid(od.getMaxEjectionTime(), p + "max_ejection_time").toNanos()
        : d.maxEjectionTimeNanos();
    long jitter = od.hasMaxEjectionTimeJitter()
        ? ProtoDurations.valid(od.getMaxEjectionTimeJitter(), p + "max_ejection_time_jitter").toNanos()
        : 0;
    return new OutlierDetectionConfig(
        count(od.hasConsecutive5Xx(), od.getConsecutive5Xx(), d.consecutive5xx(), p + "consecutive_5xx"),
        count(od.hasConsecutiveGatewayFailure(), od.getConsecutiveGatewayFailure(), d.consecutiveGatewayFailure(),
            p + "consecutive_gateway_failure"),
        interval,
        base,
        maxTime,
        jitter,
        percent(od.hasMaxEjectionPercent(), od.getMaxEjectionPercent(), d.maxEjectionPercent(),
            p + "max_ejection_percent"),
        percent(od.hasEnforcingConsecutive5Xx(), od.getEnforcingConsecutive5Xx(), d.enforcingConsecutive5xx(),
            p + "enforcing_consecutive_5xx"),
        percent(od.hasEnforcingConsecutiveGatewayFailure(), od.getEnforcingConsecutiveGatewayFailure(),
            d.enforcingConsecutiveGatewayFailure(), p + "enforcing_consecutive_gateway_failure"),
        percent(od.hasEnforcingSuccessRate(), od.getEnforcingSuccessRate(), d.enforcingSuccessRate(),
            p + "enforcing_success_rate"),
        count(od.hasSuccessRateMinimumHosts(), od.getSuccessRateMinimumHosts(), d.successRateMinimumHosts(),
            p + "success_rate_minimum_hosts"),
        count(od.hasSuccessRateRequestVolume(), od.getSuccessRateRequestVolume(), d.successRateRequestVolume(),
            p + "success_rate_request_volume"),
        count(od.hasSuccessRateStdevFactor(), od.getSuccessRateStdevFactor(), d.successRateStdevFactor(),
            p + "success_rate_stdev_factor"),
        percent(od.hasFailurePercentageThreshold(), od.getFailurePercentageThreshold(),
            d.failurePercentageThreshold(), p + "failure_percentage_threshold"),
        percent(od.hasEnforcingFailurePercentage(), od.getEnforcingFailurePercentage(),
            d.enforcingFailurePercentage(), p + "enforcing_failure_percentage"),
        count(od.hasFailurePercentageMinimumHosts(), od.getFailurePercentageMinimumHosts(),
            d.failurePercentageMinimumHosts(), p + "failure_percentage_minimum_hosts"),
        count(od.hasFailurePercentageRequestVolume(), od.getFailurePercentageRequestVolume(),
            d.failurePercentageRequestVolume(), p + "failure_percentage_request_volume"),
        od.getAlwaysEjectOneHost().getValue());
  }

  private static long positive(boolean set, com.google.protobuf.Duration value, long envoyDefault, String path)
      throws ResourceInvalidException {
    if (!set) {
      return envoyDefault;
    }
    Duration d = ProtoDurations.valid(value, path);
    if (d.isZero()) {
      throw new ResourceInvalidException(path + ": must be greater than 0");
    }
    return d.toNanos();
  }

  private static int percent(boolean set, UInt32Value value, int envoyDefault, String path)
      throws ResourceInvalidException {
    if (!set) {
      return envoyDefault;
    }
    long v = Integer.toUnsignedLong(value.getValue());
    if (v > 100) {
      throw new ResourceInvalidException(path + ": " + v + " is not a percentage (0-100)");
    }
    return (int) v;
  }

  private static int count(boolean set, UInt32Value value, int envoyDefault, String path)
      throws ResourceInvalidException {
    if (!set) {
      return envoyDefault;
    }
    long v = Integer.toUnsignedLong(value.getValue());
    if (v > Integer.MAX_VALUE) {
      throw new ResourceInvalidException(path + ": " + v + " is too large");
    }
    return (int) v;
  }
}

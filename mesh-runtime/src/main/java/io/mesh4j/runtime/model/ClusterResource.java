package io.mesh4j.runtime.model;

import java.time.Duration;
import java.util.Objects;

/**
 * A cluster whose endpoints come from EDS.
 *
 * @param name the cluster name routes refer to
 * @param edsServiceName the name to subscribe to in EDS: {@code eds_cluster_config.service_name}, or the cluster
 *     name when that is empty
 * @param connectTimeout {@code connect_timeout}, Envoy's default 5 s when unset (recorded; enforcing it is the
 *     transport's job)
 * @param tls the {@code UpstreamTlsContext} of {@code transport_socket}, or {@code null} for plain text
 * @param loadBalancer the load-balancing policy and common settings ({@link LoadBalancerConfig#DEFAULT}: round robin)
 * @param circuitBreakers the DEFAULT-priority {@code circuit_breakers.thresholds}, Envoy's defaults when unset
 * @param outlierDetection {@code outlier_detection}, or {@code null} when the cluster has none
 */
public record ClusterResource(
    String name,
    String edsServiceName,
    Duration connectTimeout,
    UpstreamTlsConfig tls,
    LoadBalancerConfig loadBalancer,

    CircuitBreakerThresholds circuitBreakers,
    OutlierDetectionConfig outlierDetection) {
  /** Envoy's default {@code connect_timeout}. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  public ClusterResource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(edsServiceName, "edsServiceName");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(loadBalancer, "loadBalancer");
    Objects.requireNonNull(circuitBreakers, "circuitBreakers");
  }

  public ClusterResource(String name, String edsServiceName, Duration connectTimeout, LoadBalancerConfig loadBalancer) {
    this(name, edsServiceName, connectTimeout, null, loadBalancer, CircuitBreakerThresholds.DEFAULT, null);
  }

  public ClusterResource(String name, String edsServiceName, Duration connectTimeout, UpstreamTlsConfig tls) {
    this(name, edsServiceName, connectTimeout, tls, LoadBalancerConfig.DEFAULT, CircuitBreakerThresholds.DEFAULT, null);
  }

  public ClusterResource(String name, String edsServiceName, Duration connectTimeout,
      CircuitBreakerThresholds circuitBreakers, OutlierDetectionConfig outlierDetection) {
    this(name, edsServiceName, connectTimeout, null, LoadBalancerConfig.DEFAULT, circuitBreakers, outlierDetection);
  }

  public ClusterResource(String name, String edsServiceName, Duration connectTimeout) {
    this(name, edsServiceName, connectTimeout, null, LoadBalancerConfig.DEFAULT, CircuitBreakerThresholds.DEFAULT, null);
  }

  public ClusterResource(String name, String edsServiceName) {
    this(name, edsServiceName, DEFAULT_CONNECT_TIMEOUT);
  }
}

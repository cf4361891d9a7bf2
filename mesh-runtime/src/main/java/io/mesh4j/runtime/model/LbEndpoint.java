package io.mesh4j.runtime.model;

import java.util.Objects;

/**
 * One endpoint of a ClusterLoadAssignment.
 *
 * @param host an IP address or a host name, as the socket address gave it
 * @param port the port
 * @param weight {@code load_balancing_weight}, 1 when unset
 * @param health what its health status lets it do ({@link EndpointHealth})
 * @param workload Istio's endpoint metadata {@code istio.workload} ({@code name;namespace;canonical service;
 *     revision;cluster}), which names the destination in metrics; null when the control plane sent none
 */
public record LbEndpoint(String host, int port, int weight, EndpointHealth health, String workload) {
  public LbEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(health, "health");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be at least 1: " + weight);
    }
  }

  /** An endpoint without workload metadata. */
  public LbEndpoint(String host, int port, int weight, EndpointHealth health) {
    this(host, port, weight, health, null);
  }

  /** An endpoint that is either healthy or unhealthy. */
  public LbEndpoint(String host, int port, int weight, boolean healthy) {
    this(host, port, weight, healthy ? EndpointHealth.HEALTHY : EndpointHealth.UNHEALTHY);
  }

  /** Whether it takes traffic whenever it is picked (HEALTHY or UNKNOWN, as Envoy and gRPC). */
  public boolean healthy() {
    return health == EndpointHealth.HEALTHY;
  }

  /** Whether it takes traffic only when the healthy endpoints are not enough (Envoy's DEGRADED). */
  public boolean degraded() {
    return health == EndpointHealth.DEGRADED;
  }

  public String hostPort() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}

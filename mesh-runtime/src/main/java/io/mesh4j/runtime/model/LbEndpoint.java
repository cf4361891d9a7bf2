package io.mesh4j.runtime.model;

import java.util.Objects;

/**
 * One endpoint of a ClusterLoadAssignment. Immutable, with a record's equality.
 */
public final class LbEndpoint {
  private final String host;
  private final int port;
  private final int weight;
  private final EndpointHealth health;
  private final String workload;
  /**
   * {@link #hostPort()}, made at its first use: requests ask for it on every attempt (outlier detection's key), and
   * most endpoints of a large config never see one. A benign race, as {@code String.hash}: at worst made twice.
   */
  private String hostPort;

  /**
   * @param host an IP address or a host name, as the socket address gave it
   * @param port the port
   * @param weight {@code load_balancing_weight}, 1 when unset
   * @param health what its health status lets it do ({@link EndpointHealth})
   * @param workload Istio's endpoint metadata {@code istio.workload} ({@code name;namespace;canonical service;
   *     revision;cluster}), which names the destination in metrics; null when the control plane sent none
   */
  public LbEndpoint(String host, int port, int weight, EndpointHealth health, String workload) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(health, "health");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be at least 1: " + weight);
    }
    this.host = host;
    this.port = port;
    this.weight = weight;
    this.health = health;
    this.workload = workload;
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

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public int weight() {
    return weight;
  }

  public EndpointHealth health() {
    return health;
  }

  public String workload() {
    return workload;
  }

  /** {@code host:port}, {@code [v6]:port} for an IPv6 address. */
  public String hostPort() {
    String hp = hostPort;
    if (hp == null) {
      hp = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
      hostPort = hp;
    }
    return hp;
  }

  // Written out rather than a record's: the generated ones go through method handles, and a request hashes its
  // endpoint (the OkHttp transport's URL cache).
  @Override
  public boolean equals(Object o) {
    return this == o || o instanceof LbEndpoint e && port == e.port && weight == e.weight && health == e.health
        && host.equals(e.host) && Objects.equals(workload, e.workload);
  }

  @Override
  public int hashCode() {
    int h = host.hashCode();
    h = 31 * h + port;
    h = 31 * h + weight;
    h = 31 * h + health.hashCode();
    return 31 * h + Objects.hashCode(workload);
  }

  @Override
  public String toString() {
    return "LbEndpoint[host=" + host + ", port=" + port + ", weight=" + weight + ", health=" + health + ", workload="
        + workload + "]";
  }
}

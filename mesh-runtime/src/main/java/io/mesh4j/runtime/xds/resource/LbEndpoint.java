package io.mesh4j.runtime.xds.resource;

import java.util.Objects;

/**
 * One endpoint of a ClusterLoadAssignment.
 *
 * @param host an IP address or a host name, as the socket address gave it
 * @param port the port
 * @param weight {@code load_balancing_weight}, 1 when unset
 * @param healthy whether its health status lets it take traffic (HEALTHY or UNKNOWN, as Envoy and gRPC)
 */
public record LbEndpoint(String host, int port, int weight, boolean healthy) {
  public LbEndpoint {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be at least 1: " + weight);
    }
  }

  public String hostPort() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}

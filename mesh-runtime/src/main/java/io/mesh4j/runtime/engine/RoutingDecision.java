package io.mesh4j.runtime.engine;

import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.route.Route;
import io.mesh4j.runtime.xds.resource.LbEndpoint;
import java.time.Duration;
import java.util.Objects;

/**
 * Where one request goes: the route that matched, the cluster it chose, and the endpoint picked in it.
 *
 * @param listenerMaxStreamDuration the listener's {@code max_stream_duration}, or null (see
 *     {@link io.mesh4j.runtime.policy.RoutePolicy#callTimeoutNanos})
 */
public record RoutingDecision(
    String target, Route route, ClusterRuntime cluster, LbEndpoint endpoint, Duration listenerMaxStreamDuration) {
  public RoutingDecision {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(endpoint, "endpoint");
  }

  public RoutingDecision(String target, Route route, ClusterRuntime cluster, LbEndpoint endpoint) {
    this(target, route, cluster, endpoint, null);
  }
}

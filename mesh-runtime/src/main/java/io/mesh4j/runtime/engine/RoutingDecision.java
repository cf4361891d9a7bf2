package io.mesh4j.runtime.engine;

import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.route.Route;
import io.mesh4j.runtime.xds.resource.LbEndpoint;
import java.util.Objects;

/** Where one request goes: the route that matched, the cluster it chose, and the endpoint picked in it. */
public record RoutingDecision(String target, Route route, ClusterRuntime cluster, LbEndpoint endpoint) {
  public RoutingDecision {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(endpoint, "endpoint");
  }
}

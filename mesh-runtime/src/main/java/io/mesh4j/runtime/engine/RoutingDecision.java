package io.mesh4j.runtime.engine;

import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.filter.fault.InjectedFault;
import io.mesh4j.runtime.route.Route;
import io.mesh4j.runtime.xds.resource.LbEndpoint;
import java.util.Objects;

/**
 * Where one request goes: the route that matched, the cluster it chose, and the endpoint picked in it; or, when
 * {@link #localReply()} is set, the answer the mesh gives itself (cluster and endpoint are then null).
 *
 * @param path the rewritten {@code :path} (with query), or null to keep the request's
 * @param host the rewritten Host, or null to keep it
 * @param fault an injected fault whose delay has already passed; the transport {@linkplain InjectedFault#release()
 *     releases} it when the exchange ends; or null
 * @param faultDelayNanos how long the engine slept for an injected delay (counts against the route's timeout)
 */
public record RoutingDecision(
    String target,
    Route route,
    ClusterRuntime cluster,
    LbEndpoint endpoint,
    String path,
    String host,
    InjectedFault fault,
    long faultDelayNanos,
    LocalReply localReply) {
  public RoutingDecision {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(route, "route");
    if (localReply == null) {
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(endpoint, "endpoint");
    }
  }

  public RoutingDecision(String target, Route route, ClusterRuntime cluster, LbEndpoint endpoint) {
    this(target, route, cluster, endpoint, null, null, null, 0, null);
  }

  static RoutingDecision reply(String target, Route route, long faultDelayNanos, LocalReply reply) {
    return new RoutingDecision(target, route, null, null, null, null, null, faultDelayNanos, reply);
  }

  /** Ends the injected fault's count as active, if any. */
  public void complete() {
    if (fault != null) {
      fault.release();
    }
  }
}

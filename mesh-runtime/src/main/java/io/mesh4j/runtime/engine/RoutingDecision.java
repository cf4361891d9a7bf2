package io.mesh4j.runtime.engine;

import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.cluster.EndpointLease;
import io.mesh4j.runtime.route.Route;
import io.mesh4j.runtime.xds.resource.LbEndpoint;
import java.util.Objects;

/**
 * Where one request goes: the route that matched, the cluster it chose, and the endpoint picked in it.
 *
 * @param lease the request's hold on the endpoint: the transport releases it once when the request is over (response
 *     body closed or consumed, or failure) and reports connection failures through it
 * @param setCookie a {@code Set-Cookie} header value the transport adds to the response ({@code hash_policy} cookie
 *     with a {@code ttl} that was generated for this request), or {@code null}
 */
public record RoutingDecision(
    String target, Route route, ClusterRuntime cluster, LbEndpoint endpoint, EndpointLease lease, String setCookie) {
  public RoutingDecision {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(lease, "lease");
  }
}

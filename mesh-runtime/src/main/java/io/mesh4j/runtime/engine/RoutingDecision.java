package io.mesh4j.runtime.engine;

import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.cluster.EndpointLease;
import io.mesh4j.runtime.filter.fault.InjectedFault;
import io.mesh4j.runtime.route.Route;
import io.mesh4j.runtime.model.LbEndpoint;
import java.time.Duration;
import java.util.Objects;

/**
 * Where one request goes: the route that matched, the cluster it chose, and the endpoint picked in it; or, when
 * {@link #localReply()} is set, the answer the mesh gives itself (cluster, endpoint and lease are then null).
 *
 * @param lease the first attempt's hold on the endpoint: the transport releases it once when the attempt is over
 *     (response body closed or consumed, or failure) and reports connection failures through it
 * @param setCookie a {@code Set-Cookie} header value the transport adds to the response ({@code hash_policy} cookie
 *     with a {@code ttl} that was generated for this request), or {@code null}
 * @param path the rewritten {@code :path} (with query), or null to keep the request's
 * @param host the rewritten Host for the first attempt's endpoint, or null to keep it
 * @param fault an injected fault whose delay has already passed; the transport {@linkplain #complete() completes}
 *     the decision when the exchange ends; or null
 * @param faultDelayNanos the injected delay waited out before this decision (counts against the route's timeout)
 * @param listenerMaxStreamDuration the listener's {@code max_stream_duration}, or null (see
 *     {@link io.mesh4j.runtime.policy.RoutePolicy#callTimeoutNanos})
 */
public record RoutingDecision(
    String target,
    Route route,
    ClusterRuntime cluster,
    LbEndpoint endpoint,
    EndpointLease lease,
    String setCookie,
    String path,
    String host,
    InjectedFault fault,
    long faultDelayNanos,
    LocalReply localReply,
    Duration listenerMaxStreamDuration) implements RouteStep {
  public RoutingDecision {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(route, "route");
    if (localReply == null) {
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(lease, "lease");
    }
  }

  static RoutingDecision reply(String target, Route route, long faultDelayNanos, LocalReply reply) {
    return new RoutingDecision(target, route, null, null, null, null, null, null, null, faultDelayNanos, reply, null);
  }

  /** Ends the injected fault's count as active, if any. */
  public void complete() {
    if (fault != null) {
      fault.release();
    }
  }
}

package io.mesh4j.runtime.config;

import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.filter.HttpFilterConfig;
import io.mesh4j.runtime.route.RouteTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What the request path knows of one target ({@code host:port}) once the control plane has answered for it. */
public sealed interface TargetConfig {

  String target();

  /** The control plane has no listener for the target: it is not in the mesh. */
  record NotInMesh(String target) implements TargetConfig {
    public NotInMesh {
      Objects.requireNonNull(target, "target");
    }
  }

  /** The listener exists but its routes cannot be used (the route configuration does not exist). */
  record Unroutable(String target, String reason) implements TargetConfig {
    public Unroutable {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Routes, and every cluster they name that exists (a missing one makes its routes answer NO_CLUSTER), and the
   * listener's HTTP filters before the router.
   *
   * @param maxStreamDuration the listener's {@code common_http_protocol_options.max_stream_duration}, or null
   */
  record Routed(
      String target,
      RouteTable routes,
      Map<String, ClusterRuntime> clusters,
      List<HttpFilterConfig> httpFilters,
      Duration maxStreamDuration)
      implements TargetConfig {
    public Routed {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(routes, "routes");
      clusters = Map.copyOf(clusters);
      httpFilters = List.copyOf(httpFilters);
    }

    public Routed(String target, RouteTable routes, Map<String, ClusterRuntime> clusters) {
      this(target, routes, clusters, List.of(), null);
    }
  }
}

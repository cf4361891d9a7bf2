package io.mesh4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntFunction;

/**
 * The policy set the load benchmarks route through, as a local control plane's {@code mesh.yaml}: a listener with
 * the fault filter present but idle (a 0%% abort), 18 header routes and a regex route before the default route (which
 * has a timeout and a retry policy), and one EDS cluster with outlier detection and circuit breakers: what a real
 * mesh carries, none of it firing.
 *
 * @param host the mesh host the listener and virtual host are named by
 * @param port its port
 * @param headerRoutePrefix the path prefix of header route {@code r}
 * @param adminRegex the regex route's path regex (YAML-escaped)
 * @param retryOn the default route's {@code retry_on}
 * @param weightedLocality whether the endpoints sit in a weighted locality (grpc-xds ignores one without a weight)
 */
record PolicySetYaml(String host, int port, IntFunction<String> headerRoutePrefix, String adminRegex, String retryOn,
    boolean weightedLocality) {

  /** Writes {@code mesh.yaml} into {@code dir}, with one endpoint at 127.0.0.1:{@code serverPort}. */
  void write(Path dir, int serverPort) throws IOException {
    StringBuilder routes = new StringBuilder();
    for (int r = 0; r < 18; r++) {
      routes.append("    - match: {prefix: ").append(headerRoutePrefix.apply(r))
          .append(", headers: [{name: x-feature, string_match: {exact: branch-").append(r).append("}}]}\n")
          .append("      route: {cluster: catalog}\n");
    }
    String locality = weightedLocality
        ? "  # grpc-xds ignores a locality without a weight.\n"
            + "  - locality: {region: local}\n"
            + "    load_balancing_weight: 1\n"
            + "    lb_endpoints:\n"
        : "  - lb_endpoints:\n";
    Files.writeString(dir.resolve("mesh.yaml"), """
        resources:
        - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
          name: %1$s:%2$d
          api_listener:
            api_listener:
              "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
              stat_prefix: bench
              rds:
                route_config_name: catalog-routes
                config_source: {ads: {}, resource_api_version: V3}
              http_filters:
              # Present but not firing: a 0%% abort, as a mesh with fault injection configured but idle.
              - name: envoy.filters.http.fault
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                  abort:
                    http_status: 503
                    percentage: {numerator: 0, denominator: HUNDRED}
              - name: envoy.filters.http.router
                typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
        - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
          name: catalog-routes
          virtual_hosts:
          - name: catalog
            domains: ["%1$s", "%1$s:%2$d"]
            routes:
        %3$s    - match:
                safe_regex: {regex: "%4$s"}
              route: {cluster: catalog}
            - match: {prefix: /}
              route:
                cluster: catalog
                timeout: 5s
                retry_policy:
                  retry_on: %5$s
                  num_retries: 2
                  per_try_timeout: 2s
        - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
          name: catalog
          type: EDS
          eds_cluster_config:
            eds_config: {ads: {}, resource_api_version: V3}
          lb_policy: ROUND_ROBIN
          outlier_detection:
            consecutive_5xx: 5
            interval: 10s
            base_ejection_time: 30s
          circuit_breakers:
            thresholds:
            - max_connections: 1024
              max_pending_requests: 1024
              max_requests: 1024
              max_retries: 3
        - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
          cluster_name: catalog
          endpoints:
        %6$s    - endpoint:
                address:
                  socket_address: {address: 127.0.0.1, port_value: %7$d}
        """.formatted(host, port, routes, adminRegex, retryOn, locality, serverPort));
  }
}

package io.mesh4j.samples.controlplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Configuration files for tests, in the shapes a user would paste from istiod or an Envoy config dump. */
final class ConfigFixtures {
  static final String LISTENER_NAME = "catalog.shop.svc.cluster.local:8080";

  static final String LISTENER_YAML = """
      # An API listener, as istiod sends to proxyless clients.
      "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: catalog.shop.svc.cluster.local:8080
      api_listener:
        api_listener:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          rds:
            route_config_name: catalog-routes
            config_source:
              ads: {}
              resource_api_version: V3
          http_filters:
          - name: envoy.filters.http.fault
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
          - name: envoy.filters.http.rbac
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
      """;

  static String routesJson(int v1Weight, int v2Weight) {
    return """
        {
          "@type": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
          "name": "catalog-routes",
          "virtual_hosts": [{
            "name": "catalog",
            "domains": ["catalog.shop.svc.cluster.local", "catalog.shop.svc.cluster.local:8080"],
            "routes": [{
              "match": {"prefix": "/"},
              "route": {"weighted_clusters": {"clusters": [
                {"name": "catalog-v1", "weight": %d},
                {"name": "catalog-v2", "weight": %d}
              ]}},
              "typed_per_filter_config": {
                "envoy.filters.http.fault": {
                  "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault",
                  "abort": {"http_status": 503, "percentage": {"numerator": 0}}
                }
              }
            }]
          }]
        }
        """.formatted(v1Weight, v2Weight);
  }

  static final String CLUSTERS_YAML = """
      resources:
      - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
        name: catalog-v1
        type: EDS
        eds_cluster_config: {eds_config: {ads: {}, resource_api_version: V3}}
        lb_policy: ROUND_ROBIN
        metadata:
          filter_metadata:
            team: {owner: shop, since: 2024-01-31}
      - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
        name: catalog-v2
        type: EDS
        eds_cluster_config: {eds_config: {ads: {}, resource_api_version: V3}}
        lb_policy: ROUND_ROBIN
        typed_extension_protocol_options:
          envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
            "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
            explicit_http_config: {http_protocol_options: {}}
        transport_socket:
          name: envoy.transport_sockets.tls
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
            sni: catalog.shop.svc.cluster.local
      """;

  static final String ENDPOINTS_YAML = """
      "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
      cluster_name: catalog-v1
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 18081}}}
      ---
      "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
      cluster_name: catalog-v2
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 18082}}}
      """;

  private ConfigFixtures() {}

  /** Writes the four files of a complete catalog configuration into {@code dir}. */
  static void writeCatalog(Path dir, int v1Weight, int v2Weight) throws IOException {
    write(dir.resolve("listener.yaml"), LISTENER_YAML);
    write(dir.resolve("routes.json"), routesJson(v1Weight, v2Weight));
    write(dir.resolve("clusters.yaml"), CLUSTERS_YAML);
    write(dir.resolve("endpoints.yaml"), ENDPOINTS_YAML);
  }

  /** Replaces a file in one step, as an editor's atomic save does, so a watcher never reads half of it. */
  static void write(Path file, String content) throws IOException {
    Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(temporary, content, StandardCharsets.UTF_8);
    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}

package io.mesh4j.runtime.metrics.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mesh4j.runtime.xds.XdsClient;
import io.mesh4j.runtime.xds.XdsClientStats;
import io.mesh4j.runtime.xds.XdsClientStats.CacheState;
import java.util.List;

/**
 * The xDS client's meters under gRFC A78's names, read from its {@link XdsClientStats} at scrape time (nothing is
 * counted twice): per server {@code grpc.xds_client.connected} (1 while its ADS stream answers) and {@code
 * grpc.xds_client.server_failure}; per server and resource type {@code grpc.xds_client.resource_updates_valid} /
 * {@code _invalid}; per resource type and {@code grpc.xds.cache_state} {@code grpc.xds_client.resources}.
 */
final class XdsClientMeters {
  static final List<String> TYPE_URLS = List.of(
      "type.googleapis.com/envoy.config.listener.v3.Listener",
      "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
      "type.googleapis.com/envoy.config.cluster.v3.Cluster",
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment",
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret");

  private XdsClientMeters() {}

  static void bind(MeterRegistry registry, XdsClient xds) {
    XdsClientStats stats = xds.stats();
    for (String server : stats.servers()) {
      Tags client = Tags.of("grpc.target", "mesh4j", "grpc.xds.server", server);
      Gauge.builder("grpc.xds_client.connected", stats, s -> s.connected(server) ? 1 : 0)
          .description("Whether the xDS client is connected to the server (gRFC A78)").tags(client)
          .register(registry);
      FunctionCounter.builder("grpc.xds_client.server_failure", stats, s -> s.serverFailures(server))
          .description("Times the xDS server became unreachable or failed the stream (gRFC A78)").tags(client)
          .register(registry);
      for (String typeUrl : TYPE_URLS) {
        Tags typed = client.and("grpc.xds.resource_type", typeUrl);
        FunctionCounter.builder("grpc.xds_client.resource_updates_valid", stats,
                s -> s.resourceUpdatesValid(server, typeUrl))
            .description("Resources received that were valid (gRFC A78)").tags(typed).register(registry);
        FunctionCounter.builder("grpc.xds_client.resource_updates_invalid", stats,
                s -> s.resourceUpdatesInvalid(server, typeUrl))
            .description("Resources received that were rejected (gRFC A78)").tags(typed).register(registry);
      }
    }
    for (String typeUrl : TYPE_URLS) {
      for (CacheState state : CacheState.values()) {
        Gauge.builder("grpc.xds_client.resources", stats, s -> s.resources(typeUrl, state))
            .description("Resources the xDS client holds, by cache state (gRFC A78)")
            .tags(Tags.of("grpc.target", "mesh4j", "grpc.xds.authority", "#old", "grpc.xds.resource_type", typeUrl,
                "grpc.xds.cache_state", state.label()))
            .register(registry);
      }
    }
  }
}

package io.mesh4j.runtime.metrics.micrometer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.xds.XdsClient;
import java.util.List;
import java.util.Locale;

/**
 * The xDS client's gauges under gRFC A78's names: {@code grpc.xds_client.connected} (1 while the ADS stream is up)
 * and {@code grpc.xds_client.resources} by {@code grpc.xds.resource_type} and {@code grpc.xds.cache_state}
 * ({@code requested}, {@code does_not_exist}, {@code acked}, {@code nacked}), read from the client's status at
 * scrape time. A78's counters ({@code server_failure}, {@code resource_updates_valid}/{@code _invalid}) need
 * events from the client itself; see {@code MeshMetrics#bindXdsCounters}.
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
    Tags client = Tags.of("grpc.target", "mesh4j", "grpc.xds.server", xds.serverUri());
    Gauge.builder("grpc.xds_client.connected", xds, c -> c.connected() ? 1 : 0)
        .description("Whether the xDS client is connected to the server (gRFC A78)").tags(client).register(registry);
    for (String typeUrl : TYPE_URLS) {
      for (ResourceState state : ResourceState.values()) {
        Gauge.builder("grpc.xds_client.resources", xds, c -> count(c.status(), typeUrl, state))
            .description("Resources the xDS client holds, by cache state (gRFC A78)")
            .tags(Tags.of("grpc.target", "mesh4j", "grpc.xds.authority", "#old", "grpc.xds.resource_type", typeUrl,
                "grpc.xds.cache_state", state.name().toLowerCase(Locale.ROOT)))
            .register(registry);
      }
    }
  }

  private static double count(List<ResourceStatus> statuses, String typeUrl, ResourceState state) {
    int count = 0;
    for (ResourceStatus status : statuses) {
      if (status.state() == state && status.typeUrl().equals(typeUrl)) {
        count++;
      }
    }
    return count;
  }
}

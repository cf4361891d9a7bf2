package io.mesh4j.runtime.metrics.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.xds.XdsClient;
import io.mesh4j.runtime.xds.XdsClientEvents;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Locale;

/**
 * The xDS client's gauges under gRFC A78's names: {@code grpc.xds_client.connected} (1 while the ADS stream is up)
 * and {@code grpc.xds_client.resources} by {@code grpc.xds.resource_type} and {@code grpc.xds.cache_state}
 * ({@code requested}, {@code does_not_exist}, {@code acked}, {@code nacked}), read from the client's status at
 * scrape time; and its counters {@code grpc.xds_client.resource_updates_valid} / {@code _invalid} (resources
 * received that decoded, or were rejected) and {@code grpc.xds_client.server_failure} (outages of the server),
 * from the client's {@link XdsClientEvents}.
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
    xds.events(new Counters(registry));
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

  /** A78's counters; meters cached per resource type (five at most). */
  private static final class Counters implements XdsClientEvents {
    private final MeterRegistry registry;
    private final Map<String, Counter[]> byType = new ConcurrentHashMap<>();

    Counters(MeterRegistry registry) {
      this.registry = registry;
    }

    @Override
    public void resourceUpdates(String serverUri, String typeUrl, int valid, int invalid) {
      Counter[] counters = byType.computeIfAbsent(typeUrl, type -> new Counter[] {
          counter("grpc.xds_client.resource_updates_valid", serverUri, type,
              "Resources received that were valid (gRFC A78)"),
          counter("grpc.xds_client.resource_updates_invalid", serverUri, type,
              "Resources received that were rejected (gRFC A78)")});
      counters[0].increment(valid);
      counters[1].increment(invalid);
    }

    @Override
    public void serverFailure(String serverUri) {
      Counter.builder("grpc.xds_client.server_failure")
          .description("Times the xDS server became unreachable or failed the stream (gRFC A78)")
          .tags("grpc.target", "mesh4j", "grpc.xds.server", serverUri).register(registry).increment();
    }

    private Counter counter(String name, String serverUri, String typeUrl, String description) {
      return Counter.builder(name).description(description).tags("grpc.target", "mesh4j", "grpc.xds.server",
          serverUri, "grpc.xds.resource_type", typeUrl).register(registry);
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

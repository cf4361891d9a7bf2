package io.mesh4j.runtime.listener;

import io.mesh4j.runtime.filter.HttpFilterConfig;
import io.mesh4j.runtime.route.RouteTable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A client-side (API) listener: an HttpConnectionManager whose routes come inline or from RDS. Exactly one of
 * {@code rdsRouteConfigName} and {@code inlineRouteTable} is set.
 *
 * @param maxStreamDuration the HCM's {@code common_http_protocol_options.max_stream_duration}, or {@code null}
 *     when unset: as gRPC, the default per-request timeout for routes that set no {@code max_stream_duration} of
 *     their own
 * @param httpFilters the HCM's filters before the router, in order, with their decoded base configs (optional
 *     filters mesh4j does not implement are left out)
 */
public record ListenerResource(
    String name,
    String rdsRouteConfigName,
    RouteTable inlineRouteTable,
    Duration maxStreamDuration,
    List<HttpFilterConfig> httpFilters) {
  public ListenerResource {
    Objects.requireNonNull(name, "name");
    httpFilters = List.copyOf(httpFilters);
    if ((rdsRouteConfigName == null) == (inlineRouteTable == null)) {
      throw new IllegalArgumentException("exactly one of rdsRouteConfigName and inlineRouteTable");
    }
  }

  public ListenerResource(
      String name, String rdsRouteConfigName, RouteTable inlineRouteTable, Duration maxStreamDuration) {
    this(name, rdsRouteConfigName, inlineRouteTable, maxStreamDuration, List.of());
  }

  public ListenerResource(String name, String rdsRouteConfigName, RouteTable inlineRouteTable) {
    this(name, rdsRouteConfigName, inlineRouteTable, null);
  }
}

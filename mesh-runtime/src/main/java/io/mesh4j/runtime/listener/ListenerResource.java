package io.mesh4j.runtime.listener;

import io.mesh4j.runtime.filter.HttpFilterConfig;
import io.mesh4j.runtime.route.RouteTable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A decoded listener. One xDS type serves both kinds, told apart as gRPC does: a client-side (API) listener has an
 * {@code api_listener} (an HttpConnectionManager whose routes come inline or from RDS: exactly one of {@code
 * rdsRouteConfigName} and {@code inlineRouteTable} is set); a server listener has an {@code address} and filter
 * chains ({@link #server()} is set, and the client fields are not).
 *
 * @param maxStreamDuration the HCM's {@code common_http_protocol_options.max_stream_duration}, or {@code null}
 *     when unset: as gRPC, the default per-request timeout for routes that set no {@code max_stream_duration} of
 *     their own
 * @param httpFilters the HCM's filters before the router, in order, with their decoded base configs (optional
 *     filters mesh4j does not implement are left out)
 * @param server the server listener, or {@code null} for a client listener
 */
public record ListenerResource(
    String name,
    String rdsRouteConfigName,
    RouteTable inlineRouteTable,
    Duration maxStreamDuration,
    List<HttpFilterConfig> httpFilters,
    ServerListenerResource server) {
  public ListenerResource {
    Objects.requireNonNull(name, "name");
    httpFilters = List.copyOf(httpFilters);
    if (server != null) {
      if (rdsRouteConfigName != null || inlineRouteTable != null) {
        throw new IllegalArgumentException("a server listener has no client route config");
      }
    } else if ((rdsRouteConfigName == null) == (inlineRouteTable == null)) {
      throw new IllegalArgumentException("exactly one of rdsRouteConfigName and inlineRouteTable");
    }
  }

  public ListenerResource(String name, String rdsRouteConfigName, RouteTable inlineRouteTable,
      Duration maxStreamDuration, List<HttpFilterConfig> httpFilters) {
    this(name, rdsRouteConfigName, inlineRouteTable, maxStreamDuration, httpFilters, null);
  }

  public ListenerResource(
      String name, String rdsRouteConfigName, RouteTable inlineRouteTable, Duration maxStreamDuration) {
    this(name, rdsRouteConfigName, inlineRouteTable, maxStreamDuration, List.of());
  }

  public ListenerResource(String name, String rdsRouteConfigName, RouteTable inlineRouteTable) {
    this(name, rdsRouteConfigName, inlineRouteTable, null);
  }

  /** A server listener. */
  public static ListenerResource ofServer(ServerListenerResource server) {
    return new ListenerResource(server.name(), null, null, null, List.of(), Objects.requireNonNull(server));
  }

  public boolean isServer() {
    return server != null;
  }
}

package io.mesh4j.runtime.listener;

import io.mesh4j.runtime.filter.HttpFilterConfig;
import io.mesh4j.runtime.route.RouteTable;
import java.util.List;
import java.util.Objects;

/**
 * The HttpConnectionManager of a server listener's filter chain: its routes (exactly one of {@code
 * rdsRouteConfigName} and {@code inlineRouteTable}) and its HTTP filters before the router, in order, each one a
 * server filter.
 */
public record HttpConnectionManagerConfig(
    String rdsRouteConfigName, RouteTable inlineRouteTable, List<HttpFilterConfig> httpFilters) {
  public HttpConnectionManagerConfig {
    httpFilters = List.copyOf(httpFilters);
    if ((rdsRouteConfigName == null) == (inlineRouteTable == null)) {
      throw new IllegalArgumentException("exactly one of rdsRouteConfigName and inlineRouteTable");
    }
  }
}

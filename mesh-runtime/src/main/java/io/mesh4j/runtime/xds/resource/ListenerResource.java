package io.mesh4j.runtime.xds.resource;

import io.mesh4j.runtime.route.RouteTable;
import java.util.Objects;

/**
 * A client-side (API) listener: an HttpConnectionManager whose routes come inline or from RDS. Exactly one of
 * {@code rdsRouteConfigName} and {@code inlineRouteTable} is set.
 */
public record ListenerResource(String name, String rdsRouteConfigName, RouteTable inlineRouteTable) {
  public ListenerResource {
    Objects.requireNonNull(name, "name");
    if ((rdsRouteConfigName == null) == (inlineRouteTable == null)) {
      throw new IllegalArgumentException("exactly one of rdsRouteConfigName and inlineRouteTable");
    }
  }
}

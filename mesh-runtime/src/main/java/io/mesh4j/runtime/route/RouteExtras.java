package io.mesh4j.runtime.route;

import io.mesh4j.runtime.filter.FilterOverrides;
import java.util.Objects;

/** What a route carries besides its match and action: shaping and the filter overrides of it and its virtual host. */
record RouteExtras(RequestShaping shaping, FilterOverrides routeFilters, FilterOverrides virtualHostFilters) {
  static final RouteExtras NONE = new RouteExtras(RequestShaping.NONE, FilterOverrides.NONE, FilterOverrides.NONE);

  RouteExtras {
    Objects.requireNonNull(shaping, "shaping");
    Objects.requireNonNull(routeFilters, "routeFilters");
    Objects.requireNonNull(virtualHostFilters, "virtualHostFilters");
  }
}

package io.mesh4j.runtime.route;

import io.mesh4j.runtime.matcher.PathMatcher;
import io.mesh4j.runtime.matcher.QueryParameters;
import io.mesh4j.runtime.matcher.RouteMatcher;
import io.mesh4j.runtime.view.RequestView;

/** A compiled virtual host: its routes in configuration order (the first match wins). */
final class VirtualHost {
  private final String name;
  private final Route[] routes;
  /** Per route, what its path must start with: most routes a request cannot take are passed over on this alone. */
  private final String[] requiredPrefixes;

  VirtualHost(String name, Route[] routes) {
    this.name = name;
    this.routes = routes;
    this.requiredPrefixes = new String[routes.length];
    for (int i = 0; i < routes.length; i++) {
      requiredPrefixes[i] = routes[i].matcher().requiredPathPrefix();
    }
  }

  String name() {
    return name;
  }

  /** Adds the clusters its routes send to (by name or weighted; not those a header names). */
  void addClusterNames(java.util.Set<String> into) {
    for (Route route : routes) {
      RouteConfigurationDecoder.addClusterNames(route.action(), into);
    }
  }

  /**
   * The first route that matches. The query string is parsed at most once, when the first route with query matchers
   * gets that far; everything else is read from the request as it is, so selection allocates nothing.
   */
  Route select(RequestView request, String path, long random) {
    int pathEnd = PathMatcher.pathEnd(path);
    QueryParameters query = null;
    for (int i = 0; i < routes.length; i++) {
      if (!path.startsWith(requiredPrefixes[i])) {
        continue;
      }
      Route route = routes[i];
      RouteMatcher matcher = route.matcher();
      if (!matcher.matchesBeforeQuery(request, path, pathEnd, random)) {
        continue;
      }
      if (matcher.hasQueryMatchers()) {
        if (query == null) {
          query = QueryParameters.parse(path);
        }
        if (!matcher.matchesQuery(query)) {
          continue;
        }
      }
      return route;
    }
    return null;
  }

  @Override
  public String toString() {
    return "VirtualHost{" + name + "}";
  }
}

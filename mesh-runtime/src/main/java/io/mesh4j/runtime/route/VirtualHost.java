package io.mesh4j.runtime.route;

import io.mesh4j.runtime.matcher.PathMatcher;
import io.mesh4j.runtime.matcher.QueryParameters;
import io.mesh4j.runtime.matcher.RouteMatcher;
import io.mesh4j.runtime.view.RequestView;
import java.util.Set;

/** A compiled virtual host: its routes in configuration order (the first match wins). */
final class VirtualHost {
  private final String name;
  private final Route[] routes;
  /** Per route, what its path must start with: most routes a request cannot take are passed over on this alone. */
  private final String[] requiredPrefixes;
  /**
   * Per route, whether its required prefix is the previous route's: routes written one after another for the same
   * prefix (a service's methods, header variants of one path) are tested against the path once.
   */
  private final boolean[] samePrefixAsPrevious;
  /** Per route, whether its path part is settled by the required prefix alone (a case-sensitive prefix match). */
  private final boolean[] prefixDecides;

  VirtualHost(String name, Route[] routes) {
    this.name = name;
    this.routes = routes;
    this.requiredPrefixes = new String[routes.length];
    this.samePrefixAsPrevious = new boolean[routes.length];
    this.prefixDecides = new boolean[routes.length];
    for (int i = 0; i < routes.length; i++) {
      RouteMatcher matcher = routes[i].matcher();
      requiredPrefixes[i] = matcher.requiredPathPrefix();
      samePrefixAsPrevious[i] = i > 0 && requiredPrefixes[i].equals(requiredPrefixes[i - 1]);
      prefixDecides[i] = matcher.requiredPathPrefixDecides();
    }
  }

  String name() {
    return name;
  }

  /** Adds the clusters its routes send to (by name or weighted; not those a header names). */
  void addClusterNames(Set<String> into) {
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
    boolean startsWithPrefix = false;
    for (int i = 0; i < routes.length; i++) {
      if (!samePrefixAsPrevious[i]) {
        startsWithPrefix = path.startsWith(requiredPrefixes[i]);
      }
      if (!startsWithPrefix) {
        continue;
      }
      Route route = routes[i];
      RouteMatcher matcher = route.matcher();
      if (prefixDecides[i] ? !matcher.matchesBeyondPath(request, random)
          : !matcher.matchesBeforeQuery(request, path, pathEnd, random)) {
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

package io.mesh4j.runtime.route;

/** A compiled virtual host: its routes in configuration order (the first match wins). */
final class VirtualHost {
  private final String name;
  private final Route[] routes;

  VirtualHost(String name, Route[] routes) {
    this.name = name;
    this.routes = routes;
  }

  String name() {
    return name;
  }

  /**
   * The first route that matches. The query string is parsed at most once, when the first route with query matchers
   * gets that far; everything else is read from the request as it is, so selection allocates nothing.
   */
  Route select(RequestView request, String path, long random) {
    int pathEnd = PathMatcher.pathEnd(path);
    QueryParameters query = null;
    for (Route route : routes) {
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

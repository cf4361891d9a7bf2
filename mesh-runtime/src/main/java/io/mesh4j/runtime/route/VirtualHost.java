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

  Route select(MatchInput input) {
    for (Route route : routes) {
      if (route.matches(input)) {
        return route;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "VirtualHost{" + name + "}";
  }
}

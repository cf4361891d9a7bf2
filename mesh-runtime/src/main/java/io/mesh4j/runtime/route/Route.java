package io.mesh4j.runtime.route;

/** One compiled route: its matcher and its action. */
public final class Route {
  // Filled in by the routing work.

  /** The route's {@code name}, or "" when unset. */
  public String name() {
    throw new UnsupportedOperationException("todo");
  }

  public RouteAction action() {
    throw new UnsupportedOperationException("todo");
  }
}

package io.mesh4j.runtime.route;

import java.util.Set;

/**
 * A compiled RouteConfiguration: virtual hosts indexed by domain, routes as compiled matchers. Immutable; safe to
 * read from any thread.
 */
public final class RouteTable {
  // Filled in by the routing work: this is the contract the rest of the runtime relies on.

  /** The RouteConfiguration's name. */
  public String name() {
    throw new UnsupportedOperationException("todo");
  }

  /** The first route of the best-matching virtual host that matches the request, or {@code null} if none. */
  public Route select(RequestView request) {
    throw new UnsupportedOperationException("todo");
  }

  /** Every cluster any route of this table can send to. */
  public Set<String> clusterNames() {
    throw new UnsupportedOperationException("todo");
  }
}

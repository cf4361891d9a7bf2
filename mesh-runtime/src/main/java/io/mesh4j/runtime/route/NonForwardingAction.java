package io.mesh4j.runtime.route;

/**
 * {@code non_forwarding_action}: on a server listener, the route lets the request through to the application after
 * the HTTP filters. Not forwarded anywhere: {@code selectCluster} is null.
 */
public enum NonForwardingAction implements RouteAction {
  INSTANCE;

  @Override
  public String selectCluster(long random) {
    return null;
  }

  @Override
  public String toString() {
    return "NonForwardingAction";
  }
}

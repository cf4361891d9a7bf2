package io.mesh4j.runtime.route;

/** Split among clusters by weight. Filled in by the routing work. */
public final class WeightedClustersAction implements RouteAction {
  @Override
  public String selectCluster(long random) {
    throw new UnsupportedOperationException("todo");
  }
}

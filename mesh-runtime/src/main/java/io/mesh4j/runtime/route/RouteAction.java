package io.mesh4j.runtime.route;

/** Where a matched route sends the request. Further kinds (redirect, direct response) arrive with later work. */
public sealed interface RouteAction permits ClusterAction, WeightedClustersAction {

  /**
   * The cluster for one request.
   *
   * @param random a uniformly distributed non-negative number, drawn once per request by the caller
   */
  String selectCluster(long random);
}

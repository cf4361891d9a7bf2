package io.mesh4j.runtime.route;

import io.mesh4j.runtime.view.RequestView;

/**
 * What a matched route does: send to a cluster ({@link ClusterAction}, {@link WeightedClustersAction},
 * {@link ClusterHeaderAction}) or answer itself ({@link RedirectAction}, {@link DirectResponseAction}, whose
 * {@code selectCluster} is null), or, on a server listener, hand the request to the application
 * ({@link NonForwardingAction}).
 */
public sealed interface RouteAction
    permits ClusterAction, WeightedClustersAction, ClusterHeaderAction, RedirectAction, DirectResponseAction,
        NonForwardingAction {

  /**
   * The cluster for one request.
   *
   * @param random a uniformly distributed non-negative number, drawn once per request by the caller
   */
  String selectCluster(long random);

  /**
   * The cluster for one request, for actions that read the request ({@code cluster_header}); null when there is
   * none.
   */
  default String selectCluster(long random, RequestView request) {
    return selectCluster(random);
  }
}

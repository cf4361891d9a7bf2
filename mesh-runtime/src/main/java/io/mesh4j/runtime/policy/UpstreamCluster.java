package io.mesh4j.runtime.policy;

import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.LbEndpoint;

/**
 * What the attempt loop needs of the cluster it sends to: its limits, breaker and outlier state, a pick for a retry,
 * and where to report an attempt's outcome. The cluster package builds on policy (a cluster owns its breaker and
 * outlier detector), so policy sees a cluster only through this; {@code cluster.ClusterRuntime} implements it.
 */
public interface UpstreamCluster {

  /** The cluster's name, for error messages. */
  String name();

  /** The decoded cluster (circuit-breaker thresholds among others). */
  ClusterResource cluster();

  /** Circuit breakers and outlier detection. */
  ClusterPolicyState policy();

  /** The endpoint for the next attempt without a hash and without counting it, or {@code null}. */
  LbEndpoint pick();

  /**
   * Reports an attempt's outcome to outlier detection.
   *
   * @param status the response status, or the status a failure without response stands for (503; 504 timeout)
   */
  void attemptFinished(LbEndpoint endpoint, int status);
}

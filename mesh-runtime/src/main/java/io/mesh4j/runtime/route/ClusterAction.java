package io.mesh4j.runtime.route;

import java.util.Objects;

/** Send to one named cluster. */
public record ClusterAction(String cluster) implements RouteAction {
  public ClusterAction {
    Objects.requireNonNull(cluster, "cluster");
  }

  @Override
  public String selectCluster(long random) {
    return cluster;
  }
}

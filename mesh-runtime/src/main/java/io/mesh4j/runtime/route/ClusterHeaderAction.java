package io.mesh4j.runtime.route;

import io.mesh4j.runtime.view.RequestView;
import java.util.Objects;

/** {@code cluster_header}: the cluster is named by a request header (absent: no cluster, which routing reports). */
public record ClusterHeaderAction(String header) implements RouteAction {
  public ClusterHeaderAction {
    Objects.requireNonNull(header, "header");
  }

  /** There is no request here: always null; routing calls {@link #selectCluster(long, RequestView)}. */
  @Override
  public String selectCluster(long random) {
    return null;
  }

  @Override
  public String selectCluster(long random, RequestView request) {
    String value = request.header(header);
    return value == null || value.isEmpty() ? null : value;
  }
}

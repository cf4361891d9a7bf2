package io.mesh4j.runtime.xds.resource;

import java.util.Objects;

/**
 * A cluster whose endpoints come from EDS.
 *
 * @param name the cluster name routes refer to
 * @param edsServiceName the name to subscribe to in EDS: {@code eds_cluster_config.service_name}, or the cluster
 *     name when that is empty
 */
public record ClusterResource(String name, String edsServiceName) {
  public ClusterResource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(edsServiceName, "edsServiceName");
  }
}

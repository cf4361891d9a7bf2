package io.mesh4j.runtime.xds.resource;

import java.util.List;
import java.util.Objects;

/** A ClusterLoadAssignment: the cluster's endpoints grouped by locality and priority. */
public record EndpointResource(String clusterName, List<LocalityEndpoints> localities) {
  public EndpointResource {
    Objects.requireNonNull(clusterName, "clusterName");
    localities = List.copyOf(localities);
  }
}

package io.mesh4j.runtime.model;

import java.util.List;
import java.util.Objects;

/**
 * A ClusterLoadAssignment: the cluster's endpoints grouped by locality and priority.
 *
 * @param overprovisioningFactor {@code policy.overprovisioning_factor} in percent, Envoy's default 140 when unset
 */
public record EndpointResource(String clusterName, List<LocalityEndpoints> localities, int overprovisioningFactor) {
  /** Envoy's default {@code overprovisioning_factor}. */
  public static final int DEFAULT_OVERPROVISIONING_FACTOR = 140;

  public EndpointResource {
    Objects.requireNonNull(clusterName, "clusterName");
    localities = List.copyOf(localities);
    if (overprovisioningFactor < 1) {
      throw new IllegalArgumentException("overprovisioningFactor must be positive: " + overprovisioningFactor);
    }
  }

  public EndpointResource(String clusterName, List<LocalityEndpoints> localities) {
    this(clusterName, localities, DEFAULT_OVERPROVISIONING_FACTOR);
  }
}

package io.mesh4j;

import java.util.List;

/**
 * A point-in-time view of what the mesh has subscribed to and what it made of each resource.
 *
 * @param controlPlane the {@code server_uri} of the control plane
 * @param connected whether the ADS stream is up now
 * @param resources every subscribed resource, by type and name
 * @param ignoredFields fields the control plane sent that the mesh accepted without acting on them
 */
public record MeshStatus(String controlPlane, boolean connected, List<ResourceStatus> resources, List<String> ignoredFields) {
  public MeshStatus {
    resources = List.copyOf(resources);
    ignoredFields = List.copyOf(ignoredFields);
  }

  /** This status as JSON; see {@link MeshStatusJson}. */
  public String toJson() {
    return MeshStatusJson.format(this);
  }
}

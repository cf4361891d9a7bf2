package io.mesh4j.runtime.config;

import io.mesh4j.runtime.route.RouteTable;
import io.mesh4j.runtime.xds.XdsResourceType;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.listener.ListenerResource;
import java.util.Objects;

/** The four resource types the assembler follows from a target to its endpoints. */
public record ResourceTypes(
    XdsResourceType<ListenerResource> listeners,
    XdsResourceType<RouteTable> routes,
    XdsResourceType<ClusterResource> clusters,
    XdsResourceType<EndpointResource> endpoints) {
  public ResourceTypes {
    Objects.requireNonNull(listeners, "listeners");
    Objects.requireNonNull(routes, "routes");
    Objects.requireNonNull(clusters, "clusters");
    Objects.requireNonNull(endpoints, "endpoints");
  }
}

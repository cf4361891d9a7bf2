package io.mesh4j.samples.controlplane;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.Map;

/**
 * Every resource loaded from a configuration directory, by type and then by name. Immutable.
 */
public record ResourceSet(
    Map<String, Listener> listeners,
    Map<String, RouteConfiguration> routes,
    Map<String, Cluster> clusters,
    Map<String, ClusterLoadAssignment> endpoints,
    Map<String, Secret> secrets) {

  public static final ResourceSet EMPTY = new ResourceSet(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

  public ResourceSet {
    listeners = Map.copyOf(listeners);
    routes = Map.copyOf(routes);
    clusters = Map.copyOf(clusters);
    endpoints = Map.copyOf(endpoints);
    secrets = Map.copyOf(secrets);
  }

  public int size() {
    return listeners.size() + routes.size() + clusters.size() + endpoints.size() + secrets.size();
  }

  @Override
  public String toString() {
    return listeners.size() + " listeners, " + routes.size() + " route configurations, " + clusters.size()
        + " clusters, " + endpoints.size() + " endpoint assignments, " + secrets.size() + " secrets";
  }
}

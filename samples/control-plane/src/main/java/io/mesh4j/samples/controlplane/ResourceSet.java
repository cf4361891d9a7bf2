package io.mesh4j.samples.controlplane;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.Map;
import java.util.StringJoiner;

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

  /** E.g. {@code 1 listener, 1 route configuration, 2 clusters}; types with no resources are left out. */
  @Override
  public String toString() {
    StringJoiner text = new StringJoiner(", ");
    count(text, listeners.size(), "listener");
    count(text, routes.size(), "route configuration");
    count(text, clusters.size(), "cluster");
    count(text, endpoints.size(), "endpoint assignment");
    count(text, secrets.size(), "secret");
    return text.length() == 0 ? "no resources" : text.toString();
  }

  private static void count(StringJoiner text, int count, String noun) {
    if (count > 0) {
      text.add(count + " " + noun + (count == 1 ? "" : "s"));
    }
  }
}

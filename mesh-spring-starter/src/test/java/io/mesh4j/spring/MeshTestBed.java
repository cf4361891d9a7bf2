package io.mesh4j.spring;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import java.util.ArrayList;
import java.util.List;

/**
 * A real xDS server on loopback serving, for each target added, a listener, a route table sending everything to one
 * cluster, and that cluster's endpoints: the mesh the starter's tests route through.
 */
public final class MeshTestBed implements AutoCloseable {
  private final LoopbackControlPlane controlPlane = LoopbackControlPlane.start();
  private final List<Listener> listeners = new ArrayList<>();
  private final List<RouteConfiguration> routes = new ArrayList<>();
  private final List<Cluster> clusters = new ArrayList<>();
  private final List<ClusterLoadAssignment> endpoints = new ArrayList<>();
  private int version;

  /** Routes every request to {@code target} ("host:port") to {@code endpoint} ("127.0.0.1:port"). */
  public MeshTestBed route(String target, String endpoint) {
    String name = "c" + listeners.size();
    listeners.add(apiListener(target, name + "-routes"));
    routes.add(routeConfig(name + "-routes", target, name));
    clusters.add(edsCluster(name));
    endpoints.add(cla(name, endpoint));
    publish();
    return this;
  }

  public void publish() {
    controlPlane.setSnapshot(Integer.toString(++version), listeners, routes, clusters, endpoints);
  }

  public LoopbackControlPlane controlPlane() {
    return controlPlane;
  }

  /** The bootstrap as one line, for {@code mesh.bootstrap-json}. */
  public String bootstrapProperty() {
    return "mesh.bootstrap-json=" + controlPlane.bootstrapJson().replace("\n", " ");
  }

  @Override
  public void close() {
    controlPlane.close();
  }
}

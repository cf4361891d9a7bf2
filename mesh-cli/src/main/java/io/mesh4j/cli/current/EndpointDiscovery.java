package io.mesh4j.cli.current;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.mesh4j.cli.xds.XdsType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds a fleet's instances from the control plane's view of a cluster, as Envoy would: the cluster from CDS, its
 * endpoints from EDS (under the cluster's {@code eds_cluster_config.service_name}, else its name), each endpoint's
 * IP with the port where instances serve CSDS.
 */
public final class EndpointDiscovery {
  private final ControlPlaneSubscriber controlPlane;

  public EndpointDiscovery(ControlPlaneSubscriber controlPlane) {
    this.controlPlane = controlPlane;
  }

  /**
   * The instances of {@code cluster}, {@code ip:csdsPort} each, in the control plane's order.
   *
   * @throws DiscoveryException when the control plane does not answer or has no such cluster
   */
  public List<String> instances(Node node, String cluster, int csdsPort)
      throws DiscoveryException, InterruptedException {
    Cluster found;
    try {
      found = fetch(node, XdsType.CDS, cluster).unpack(Cluster.class);
    } catch (InvalidProtocolBufferException e) {
      throw new DiscoveryException("cluster '" + cluster + "' from " + controlPlane.target() + " is unreadable: "
          + e.getMessage());
    }
    String serviceName = found.getEdsClusterConfig().getServiceName().isEmpty()
        ? cluster : found.getEdsClusterConfig().getServiceName();
    ClusterLoadAssignment endpoints;
    try {
      endpoints = fetch(node, XdsType.EDS, serviceName).unpack(ClusterLoadAssignment.class);
    } catch (InvalidProtocolBufferException e) {
      throw new DiscoveryException("endpoints '" + serviceName + "' from " + controlPlane.target()
          + " are unreadable: " + e.getMessage());
    }
    Set<String> instances = new LinkedHashSet<>();
    for (LocalityLbEndpoints locality : endpoints.getEndpointsList()) {
      for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
        SocketAddress address = endpoint.getEndpoint().getAddress().getSocketAddress();
        if (!address.getAddress().isEmpty()) {
          String host = address.getAddress().contains(":") ? "[" + address.getAddress() + "]" : address.getAddress();
          instances.add(host + ":" + csdsPort);
        }
      }
    }
    return new ArrayList<>(instances);
  }

  private Any fetch(Node node, XdsType type, String name)
      throws DiscoveryException, InterruptedException {
    CurrentConfig answer = controlPlane.fetch(node, Map.of(type.typeUrl(), Set.of(name)));
    CurrentResource resource = answer.get(new ResourceKey(type.typeUrl(), name));
    if (resource == null) {
      throw new DiscoveryException(answer.error() != null ? answer.error()
          : "no answer from " + controlPlane.target() + " for " + type + " " + name);
    }
    if (!resource.exists()) {
      throw new DiscoveryException(type + " resource '" + name + "' does not exist at " + controlPlane.target());
    }
    return resource.resource();
  }

  /** Discovery failed; the message says why in one line. */
  public static final class DiscoveryException extends Exception {
    public DiscoveryException(String message) {
      super(message);
    }
  }
}

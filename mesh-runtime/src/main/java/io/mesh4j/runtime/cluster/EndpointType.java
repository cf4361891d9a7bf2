package io.mesh4j.runtime.cluster;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.mesh4j.runtime.model.EndpointHealth;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.model.LocalityEndpoints;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import io.mesh4j.runtime.xds.XdsResourceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * EDS: ClusterLoadAssignments.
 *
 * <p>Validation as Envoy and gRPC: {@code load_balancing_weight}s, when set, are at least 1; priorities are
 * contiguous from 0; addresses are socket addresses with an IP and a {@code port_value}. Health, as Envoy: HEALTHY and
 * UNKNOWN are healthy; DEGRADED is degraded (used when too few are healthy); UNHEALTHY, DRAINING and TIMEOUT are
 * unhealthy (gRPC reads DEGRADED as unhealthy; Envoy does not). How priorities, {@code policy.overprovisioning_factor}, locality weights and the
 * panic threshold turn these into traffic is the cluster package's {@code LoadPlan}.
 *
 * <p>Rejected: {@code policy.drop_overloads} (later work), {@code policy.weighted_priority_health},
 * {@code named_endpoints}/{@code endpoint_name}, {@code leds_cluster_locality_config}, pipes, internal addresses,
 * named ports, custom resolvers, non-TCP protocols. Accepted and noted: {@code additional_addresses},
 * {@code hostname}, {@code health_check_config}, locality {@code metadata}, {@code proximity},
 * {@code policy.endpoint_stale_after}.
 */
public final class EndpointType extends XdsResourceType<EndpointResource> {
  public static final String TYPE_URL = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  public static final EndpointType INSTANCE = new EndpointType();

  private static final Set<String> CLA_HANDLED = Set.of("cluster_name", "endpoints", "policy");
  private static final Set<String> POLICY_HANDLED = Set.of("drop_overloads", "overprovisioning_factor");
  private static final Set<String> POLICY_IGNORABLE = Set.of("endpoint_stale_after");
  private static final Set<String> LOCALITY_HANDLED =
      Set.of("locality", "lb_endpoints", "load_balancing_weight", "priority");
  private static final Set<String> LOCALITY_IGNORABLE = Set.of("metadata", "proximity");
  private static final Set<String> LB_ENDPOINT_HANDLED =
      Set.of("endpoint", "health_status", "load_balancing_weight", "metadata");
  private static final Set<String> LB_ENDPOINT_IGNORABLE = Set.of();
  private static final Set<String> ENDPOINT_HANDLED = Set.of("address");
  private static final Set<String> ENDPOINT_IGNORABLE = Set.of("health_check_config", "hostname", "additional_addresses");

  private EndpointType() {}

  @Override
  public String typeUrl() {
    return TYPE_URL;
  }

  @Override
  public String shortName() {
    return "EDS";
  }

  @Override
  public Class<? extends Message> messageClass() {
    return ClusterLoadAssignment.class;
  }

  @Override
  protected int nameFieldNumber() {
    return ClusterLoadAssignment.CLUSTER_NAME_FIELD_NUMBER;
  }

  @Override
  public boolean isFullStateOfTheWorld() {
    return false;
  }

  @Override
  public String name(Message message) {
    return ((ClusterLoadAssignment) message).getClusterName();
  }

  @Override
  public EndpointResource decode(Message message, DecodeContext context) throws ResourceInvalidException {
    ClusterLoadAssignment cla = (ClusterLoadAssignment) message;
    FieldAllowList.check(cla, "", CLA_HANDLED, Set.of(), "EDS", context);
    int overprovisioning = EndpointResource.DEFAULT_OVERPROVISIONING_FACTOR;
    if (cla.hasPolicy()) {
      ClusterLoadAssignment.Policy policy = cla.getPolicy();
      FieldAllowList.check(policy, "policy.", POLICY_HANDLED, POLICY_IGNORABLE, "EDS", context);
      if (policy.getDropOverloadsCount() > 0) {
        throw new ResourceInvalidException("policy.drop_overloads: not supported yet");
      }
      if (policy.hasOverprovisioningFactor()) {
        long factor = Integer.toUnsignedLong(policy.getOverprovisioningFactor().getValue());
        if (factor < 1 || factor > Integer.MAX_VALUE) {
          throw new ResourceInvalidException("policy.overprovisioning_factor: must be between 1 and " + Integer.MAX_VALUE);
        }
        overprovisioning = (int) factor;
      }
    }
    List<LocalityEndpoints> localities = new ArrayList<>();
    Set<Integer> priorities = new TreeSet<>();
    for (int i = 0; i < cla.getEndpointsCount(); i++) {
      String path = "endpoints[" + i + "]";
      LocalityEndpoints locality = locality(cla.getEndpoints(i), path + ".", context);
      priorities.add(locality.priority());
      localities.add(locality);
    }
    int expected = 0;
    for (int p : priorities) {
      if (p != expected) {
        throw new ResourceInvalidException(
            "endpoints: priorities must be contiguous from 0, but priority " + expected + " is missing");
      }
      expected++;
    }
    return new EndpointResource(cla.getClusterName(), localities, overprovisioning);
  }

  private static LocalityEndpoints locality(LocalityLbEndpoints l, String path, DecodeContext context)
      throws ResourceInvalidException {
    FieldAllowList.check(l, path, LOCALITY_HANDLED, LOCALITY_IGNORABLE, "EDS", context);
    int weight = 0;
    if (l.hasLoadBalancingWeight()) {
      weight = weight(l.getLoadBalancingWeight().getValue(), path + "load_balancing_weight");
    }
    Locality loc = l.getLocality();
    String name = loc.getRegion() + "/" + loc.getZone() + "/" + loc.getSubZone();
    if (name.equals("//")) {
      name = "";
    }
    List<LbEndpoint> endpoints = new ArrayList<>();
    long sum = 0;
    for (int j = 0; j < l.getLbEndpointsCount(); j++) {
      LbEndpoint endpoint = endpoint(l.getLbEndpoints(j), path, j, context);
      sum += endpoint.weight();
      endpoints.add(endpoint);
    }
    if (sum > 0xFFFFFFFFL) {
      throw new ResourceInvalidException(path + "lb_endpoints: the sum of the weights exceeds 4294967295");
    }
    return new LocalityEndpoints(name, weight, l.getPriority(), endpoints);
  }

  private static LbEndpoint endpoint(
      io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint e, String localityPath, int index, DecodeContext context)
      throws ResourceInvalidException {
    // Built only for an error or a note: three path strings per endpoint, built whether or not anything was wrong,
    // were a visible share of decoding a large EDS response.
    Supplier<String> path = () -> localityPath + "lb_endpoints[" + index + "].";
    FieldAllowList.check(e, path, LB_ENDPOINT_HANDLED, LB_ENDPOINT_IGNORABLE, "EDS", context);
    if (!e.hasEndpoint()) {
      throw new ResourceInvalidException(path.get() + "endpoint: missing");
    }
    Endpoint endpoint = e.getEndpoint();
    FieldAllowList.check(
        endpoint, () -> path.get() + "endpoint.", ENDPOINT_HANDLED, ENDPOINT_IGNORABLE, "EDS", context);
    if (!endpoint.hasAddress()) {
      throw new ResourceInvalidException(path.get() + "endpoint.address: missing");
    }
    Address address = endpoint.getAddress();
    if (!address.hasSocketAddress()) {
      throw new ResourceInvalidException(path.get() + "endpoint.address: only socket_address is supported, got "
          + address.getAddressCase().name().toLowerCase(java.util.Locale.ROOT));
    }
    SocketAddress socket = address.getSocketAddress();
    Supplier<String> socketPath = () -> path.get() + "endpoint.address.socket_address.";
    if (socket.getProtocol() != SocketAddress.Protocol.TCP) {
      throw new ResourceInvalidException(socketPath.get() + "protocol: only TCP is supported");
    }
    if (!socket.getResolverName().isEmpty()) {
      throw new ResourceInvalidException(socketPath.get() + "resolver_name: not supported");
    }
    if (!socket.getNetworkNamespaceFilepath().isEmpty()) {
      throw new ResourceInvalidException(socketPath.get() + "network_namespace_filepath: not supported");
    }
    if (socket.getPortSpecifierCase() != SocketAddress.PortSpecifierCase.PORT_VALUE) {
      throw new ResourceInvalidException(socketPath.get() + (socket.hasNamedPort() ? "named_port: not supported"
          : "port_value: missing"));
    }
    int port = socket.getPortValue();
    if (port < 1 || port > 65535) {
      throw new ResourceInvalidException(socketPath.get() + "port_value: " + Integer.toUnsignedString(port)
          + " is not a port");
    }
    String ip = socket.getAddress();
    if (!IpLiterals.isIpLiteral(ip)) {
      throw new ResourceInvalidException(socketPath.get() + "address: '" + ip + "' is not an IP address");
    }
    int weight = 1;
    if (e.hasLoadBalancingWeight()) {
      weight = weight(e.getLoadBalancingWeight().getValue(), path.get() + "load_balancing_weight");
    }
    return new LbEndpoint(ip, port, weight, health(e.getHealthStatus()), istioWorkload(e));
  }

  /**
   * The endpoint's {@code filter_metadata["istio"]["workload"]} ({@code name;namespace;canonical service;revision;
   * cluster}), which only the metrics' destination labels read; null when absent. The rest of the metadata changes
   * nothing a request does.
   */
  private static String istioWorkload(io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint e) {
    if (!e.hasMetadata()) {
      return null;
    }
    com.google.protobuf.Struct istio = e.getMetadata().getFilterMetadataMap().get("istio");
    if (istio == null) {
      return null;
    }
    com.google.protobuf.Value workload = istio.getFieldsMap().get("workload");
    return workload == null || workload.getStringValue().isEmpty() ? null : workload.getStringValue();
  }

  private static int weight(int raw, String path) throws ResourceInvalidException {
    long value = Integer.toUnsignedLong(raw);
    if (value < 1) {
      throw new ResourceInvalidException(path + ": must be at least 1");
    }
    if (value > Integer.MAX_VALUE) {
      throw new ResourceInvalidException(path + ": " + value + " is too large (at most " + Integer.MAX_VALUE + ")");
    }
    return (int) value;
  }

  /** Envoy's reading: UNKNOWN counts as healthy; UNHEALTHY, DRAINING and TIMEOUT (and unrecognized values) do not. */
  private static EndpointHealth health(HealthStatus status) {
    return switch (status) {
      case HEALTHY, UNKNOWN -> EndpointHealth.HEALTHY;
      case DEGRADED -> EndpointHealth.DEGRADED;
      default -> EndpointHealth.UNHEALTHY;
    };
  }
}

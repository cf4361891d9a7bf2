package io.mesh4j.samples.controlplane;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.List;
import java.util.Map;

/**
 * The Envoy types the loader knows: the five resource types a file may hold, and the types that appear inside
 * {@code Any} fields of those resources (filters, transport sockets, protocol options, load-balancing policies).
 */
final class EnvoyTypes {

  static final String TYPE_URL_PREFIX = "type.googleapis.com/";

  /** Top-level resource types by full proto name, as java-control-plane's {@code Snapshot} can serve them. */
  static final Map<String, Message> RESOURCE_TYPES = Map.of(
      Listener.getDescriptor().getFullName(), Listener.getDefaultInstance(),
      RouteConfiguration.getDescriptor().getFullName(), RouteConfiguration.getDefaultInstance(),
      Cluster.getDescriptor().getFullName(), Cluster.getDefaultInstance(),
      ClusterLoadAssignment.getDescriptor().getFullName(), ClusterLoadAssignment.getDefaultInstance(),
      Secret.getDescriptor().getFullName(), Secret.getDefaultInstance());

  /**
   * Types commonly found inside {@code typed_config}, {@code typed_per_filter_config},
   * {@code typed_extension_protocol_options} and {@code transport_socket} in configuration dumped from istiod or
   * Envoy. Adding a descriptor adds every message of its file and of the files it imports.
   */
  private static final List<Descriptor> TYPED_CONFIGS = List.of(
      // listener and network filters
      io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.network.ext_authz.v3.ExtAuthz.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst.getDescriptor(),
      // HTTP filters
      io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.http.stateful_session.v3.StatefulSession.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.http.grpc_stats.v3.FilterConfig.getDescriptor(),
      io.envoyproxy.envoy.extensions.filters.http.grpc_web.v3.GrpcWeb.getDescriptor(),
      // transport sockets and cluster options
      io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.getDescriptor(),
      io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.getDescriptor(),
      io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer.getDescriptor(),
      io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor(),
      // load-balancing policies (Cluster.load_balancing_policy)
      io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin.getDescriptor(),
      io.envoyproxy.envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest.getDescriptor(),
      io.envoyproxy.envoy.extensions.load_balancing_policies.random.v3.Random.getDescriptor(),
      io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash.getDescriptor(),
      io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.Maglev.getDescriptor(),
      io.envoyproxy.envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality.getDescriptor(),
      io.envoyproxy.envoy.extensions.load_balancing_policies.client_side_weighted_round_robin.v3
          .ClientSideWeightedRoundRobin.getDescriptor(),
      io.envoyproxy.envoy.extensions.load_balancing_policies.pick_first.v3.PickFirst.getDescriptor(),
      // retry predicates and access logs
      io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate.getDescriptor(),
      io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig.getDescriptor(),
      io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog.getDescriptor(),
      io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog.getDescriptor(),
      // the config of filters Envoy's API does not define (Istio's own, Wasm), wrapped as a struct
      com.github.udpa.udpa.type.v1.TypedStruct.getDescriptor(),
      com.github.xds.type.v3.TypedStruct.getDescriptor());

  private static final JsonFormat.TypeRegistry REGISTRY = buildRegistry();

  private EnvoyTypes() {}

  /** The registry for {@link JsonFormat}'s parser and printer. */
  static JsonFormat.TypeRegistry registry() {
    return REGISTRY;
  }

  /** The resource type for a type URL, or {@code null} when a file may not hold it at the top level. */
  static Message resourceType(String typeUrl) {
    int slash = typeUrl.lastIndexOf('/');
    return RESOURCE_TYPES.get(slash < 0 ? typeUrl : typeUrl.substring(slash + 1));
  }

  private static JsonFormat.TypeRegistry buildRegistry() {
    JsonFormat.TypeRegistry.Builder builder = JsonFormat.TypeRegistry.newBuilder();
    RESOURCE_TYPES.values().forEach(type -> builder.add(type.getDescriptorForType()));
    builder.add(TYPED_CONFIGS);
    return builder.build();
  }
}

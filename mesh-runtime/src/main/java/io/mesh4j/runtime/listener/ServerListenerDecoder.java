package io.mesh4j.runtime.listener;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.mesh4j.runtime.filter.FilterRegistry;
import io.mesh4j.runtime.model.DownstreamTlsConfig;
import io.mesh4j.runtime.security.DownstreamTlsContextDecoder;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A server listener (no {@code api_listener}), as istiod sends it to proxyless servers and sidecars:
 * <ul>
 *   <li>{@code address.socket_address} (TCP); when the listener's name is made by the bootstrap's {@code
 *       server_listener_resource_name_template} from {@code ip:port}, the address must be {@code 0.0.0.0}, {@code ::}
 *       or that ip, and the port that port;
 *   <li>{@code filter_chains} and {@code default_filter_chain}: each with one HttpConnectionManager network filter,
 *       a {@code transport_socket} ({@code DownstreamTlsContext} or {@code raw_buffer}, none is plaintext) and a
 *       {@code filter_chain_match} with every criterion Envoy has but {@code address_suffix}/{@code suffix_len}
 *       (which Envoy does not implement either); two chains whose matches overlap in any combination of values are
 *       refused, as Envoy refuses them;
 *   <li>{@code listener_filters} {@code tls_inspector}, {@code http_inspector}, {@code original_dst}: accepted, since
 *       the mesh sniffs the first bytes itself; any other is refused.
 * </ul>
 * Accepted and noted: fields of the socket Envoy would bind, its buffers, stats and access logs.
 */
final class ServerListenerDecoder {
  private static final Set<String> LISTENER_HANDLED =
      Set.of("name", "address", "filter_chains", "default_filter_chain", "listener_filters");
  /** The socket Envoy would bind, its buffers, stats and logs; istiod adds {@code additional_addresses} for dual stack. */
  private static final Set<String> LISTENER_IGNORABLE = Set.of("additional_addresses", "stat_prefix",
      "per_connection_buffer_limit_bytes", "metadata", "drain_type", "listener_filters_timeout",
      "continue_on_listener_filters_timeout", "transparent", "freebind", "socket_options", "tcp_fast_open_queue_length",
      "traffic_direction", "connection_balance_config", "reuse_port", "enable_reuse_port", "access_log",
      "tcp_backlog_size", "max_connections_to_accept_per_socket_event", "bind_to_port", "enable_mptcp",
      "ignore_global_conn_limit", "bypass_overload_manager", "use_original_dst");
  private static final Set<String> CHAIN_HANDLED =
      Set.of("filter_chain_match", "transport_socket", "filters", "name");
  private static final Set<String> CHAIN_IGNORABLE = Set.of("metadata", "transport_socket_connect_timeout");
  private static final Set<String> MATCH_HANDLED = Set.of("destination_port", "prefix_ranges",
      "direct_source_prefix_ranges", "source_type", "source_prefix_ranges", "source_ports", "server_names",
      "transport_protocol", "application_protocols");
  private static final Set<String> SOCKET_ADDRESS_HANDLED = Set.of("address", "port_value", "protocol");
  private static final Set<String> SOCKET_ADDRESS_IGNORABLE = Set.of("ipv4_compat", "resolver_name");

  /** The listener filters the mesh does the work of itself, by name and by config type. */
  private static final Set<String> SNIFFING_FILTERS = Set.of("envoy.filters.listener.tls_inspector",
      "envoy.filters.listener.http_inspector", "envoy.filters.listener.original_dst",
      "envoy.listener.tls_inspector", "envoy.listener.http_inspector", "envoy.listener.original_dst");
  private static final Set<String> SNIFFING_TYPES = Set.of(
      "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector",
      "type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector",
      "type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst");

  /** Envoy expands every chain into its combinations of values; so do we, within reason. */
  private static final int MAX_COMBINATIONS = 100_000;

  private ServerListenerDecoder() {}

  static ServerListenerResource decode(Listener listener, Set<String> providerInstances, FilterRegistry filters,
      String serverListenerTemplate, DecodeContext context) throws ResourceInvalidException {
    FieldAllowList.check(listener, "", LISTENER_HANDLED, LISTENER_IGNORABLE, "LDS server listener", context);
    if (!listener.hasAddress()) {
      throw new ResourceInvalidException("api_listener: missing, and address: missing (neither a client nor a server "
          + "listener)");
    }
    if (!listener.getAddress().hasSocketAddress()) {
      throw new ResourceInvalidException("address.socket_address: missing (only TCP socket addresses are supported)");
    }
    SocketAddress socket = listener.getAddress().getSocketAddress();
    FieldAllowList.check(socket, "address.socket_address.", SOCKET_ADDRESS_HANDLED, SOCKET_ADDRESS_IGNORABLE,
        "LDS server listener", context);
    if (socket.getProtocol() != SocketAddress.Protocol.TCP) {
      throw new ResourceInvalidException("address.socket_address.protocol: only TCP is supported");
    }
    if (socket.getPortSpecifierCase() != SocketAddress.PortSpecifierCase.PORT_VALUE) {
      throw new ResourceInvalidException("address.socket_address.port_value: missing (named ports are not supported)");
    }
    checkServedAddress(listener.getName(), socket, serverListenerTemplate);
    for (int i = 0; i < listener.getListenerFiltersCount(); i++) {
      checkListenerFilter(listener.getListenerFilters(i), "listener_filters[" + i + "]");
    }
    List<ServerFilterChain> chains = new ArrayList<>();
    for (int i = 0; i < listener.getFilterChainsCount(); i++) {
      chains.add(chain(listener.getFilterChains(i), "filter_chains[" + i + "]", true, providerInstances, filters,
          context));
    }
    checkConflicts(chains);
    ServerFilterChain defaultChain = listener.hasDefaultFilterChain()
        ? chain(listener.getDefaultFilterChain(), "default_filter_chain", false, providerInstances, filters, context)
        : null;
    if (chains.isEmpty() && defaultChain == null) {
      throw new ResourceInvalidException("filter_chains: missing (and no default_filter_chain)");
    }
    return new ServerListenerResource(listener.getName(), socket.getAddress(), socket.getPortValue(), chains,
        defaultChain);
  }

  /**
   * The listener named for {@code ip:port} must listen there: istiod echoes the address asked for, and a listener
   * for another port would configure this server with someone else's policy.
   */
  private static void checkServedAddress(String name, SocketAddress socket, String template)
      throws ResourceInvalidException {
    if (template == null || template.isEmpty() || !template.contains("%s")) {
      return;
    }
    int at = template.indexOf("%s");
    String prefix = template.substring(0, at);
    String suffix = template.substring(at + 2);
    if (!name.startsWith(prefix) || !name.endsWith(suffix) || name.length() < prefix.length() + suffix.length()) {
      return;
    }
    String ipPort = name.substring(prefix.length(), name.length() - suffix.length());
    int colon = ipPort.lastIndexOf(':');
    if (colon < 0) {
      return;
    }
    String askedIp = ipPort.substring(0, colon);
    if (askedIp.startsWith("[") && askedIp.endsWith("]")) {
      askedIp = askedIp.substring(1, askedIp.length() - 1);
    }
    int askedPort;
    try {
      askedPort = Integer.parseInt(ipPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      return;
    }
    if (socket.getPortValue() != askedPort) {
      throw new ResourceInvalidException("address.socket_address.port_value: " + socket.getPortValue()
          + " is not the port " + askedPort + " the listener was asked for");
    }
    InetAddress address = ipLiteral(socket.getAddress(), "address.socket_address.address");
    if (!address.isAnyLocalAddress() && !address.equals(ipLiteralOrNull(askedIp))) {
      throw new ResourceInvalidException("address.socket_address.address: " + socket.getAddress()
          + " is neither a wildcard address nor the address " + askedIp + " the listener was asked for");
    }
  }

  private static void checkListenerFilter(ListenerFilter filter, String path) throws ResourceInvalidException {
    String typeUrl = filter.hasTypedConfig() ? filter.getTypedConfig().getTypeUrl() : "";
    if (SNIFFING_FILTERS.contains(filter.getName()) || SNIFFING_TYPES.contains(typeUrl)) {
      return;
    }
    throw new ResourceInvalidException(path + ": listener filter '" + filter.getName() + "'"
        + (typeUrl.isEmpty() ? "" : " (" + typeUrl + ")") + " is not supported (only tls_inspector, "
        + "http_inspector and original_dst, whose work the mesh does itself)");
  }

  private static ServerFilterChain chain(FilterChain chain, String path, boolean matchAllowed,
      Set<String> providerInstances, FilterRegistry filters, DecodeContext context) throws ResourceInvalidException {
    FieldAllowList.check(chain, path + ".", CHAIN_HANDLED, CHAIN_IGNORABLE, "LDS server listener", context);
    FilterChainMatch match = FilterChainMatch.ANY;
    if (chain.hasFilterChainMatch()) {
      if (!matchAllowed) {
        // Envoy ignores it on the default chain; it matches whatever the others do not.
        context.ignoredField("LDS server listener: " + path + ".filter_chain_match (the default chain takes "
            + "whatever no other chain matches)");
      } else {
        match = match(chain.getFilterChainMatch(), path + ".filter_chain_match", context);
      }
    }
    DownstreamTlsConfig tls = chain.hasTransportSocket()
        ? DownstreamTlsContextDecoder.decode(chain.getTransportSocket(), path + ".transport_socket",
            providerInstances, context)
        : null;
    if (chain.getFiltersCount() != 1) {
      throw new ResourceInvalidException(path + ".filters: exactly one HttpConnectionManager filter is required, "
          + "found " + chain.getFiltersCount() + " filters");
    }
    io.envoyproxy.envoy.config.listener.v3.Filter filter = chain.getFilters(0);
    String filterPath = path + ".filters[0]";
    if (filter.hasConfigDiscovery()) {
      throw new ResourceInvalidException(filterPath + ".config_discovery: not supported");
    }
    Any config = filter.getTypedConfig();
    if (!config.getTypeUrl().equals(ListenerType.HCM_TYPE_URL)) {
      throw new ResourceInvalidException(filterPath + ".typed_config: " + (config.getTypeUrl().isEmpty() ? "missing"
          : config.getTypeUrl() + " is not supported") + " (only HttpConnectionManager)");
    }
    HttpConnectionManager hcm;
    try {
      hcm = config.unpack(HttpConnectionManager.class);
    } catch (InvalidProtocolBufferException e) {
      throw new ResourceInvalidException(filterPath + ".typed_config: cannot unpack: " + e.getMessage());
    }
    HttpConnectionManagerConfig decoded;
    try {
      decoded = ListenerType.decodeServerHcm(hcm, filters, context);
    } catch (ResourceInvalidException e) {
      throw ResourceInvalidException.at(filterPath + ".typed_config", e);
    }
    return new ServerFilterChain(chain.getName(), match, tls, decoded);
  }

  private static FilterChainMatch match(io.envoyproxy.envoy.config.listener.v3.FilterChainMatch proto, String path,
      DecodeContext context) throws ResourceInvalidException {
    FieldAllowList.check(proto, path + ".", MATCH_HANDLED, Set.of(), "LDS server listener", context);
    int port = 0;
    if (proto.hasDestinationPort()) {
      port = proto.getDestinationPort().getValue();
      if (port < 1 || port > 65535) {
        throw new ResourceInvalidException(path + ".destination_port: " + port + " is not a port");
      }
    }
    List<String> serverNames = new ArrayList<>();
    for (int i = 0; i < proto.getServerNamesCount(); i++) {
      String name = proto.getServerNames(i).toLowerCase(Locale.ROOT);
      if (name.isEmpty() || (name.contains("*") && !(name.startsWith("*.") && name.indexOf('*', 1) < 0))) {
        throw new ResourceInvalidException(path + ".server_names[" + i + "]: '" + proto.getServerNames(i)
            + "' is neither a name nor a wildcard like *.example.com");
      }
      serverNames.add(name);
    }
    List<Integer> sourcePorts = new ArrayList<>();
    for (int i = 0; i < proto.getSourcePortsCount(); i++) {
      int p = proto.getSourcePorts(i);
      if (p < 1 || p > 65535) {
        throw new ResourceInvalidException(path + ".source_ports[" + i + "]: " + p + " is not a port");
      }
      sourcePorts.add(p);
    }
    FilterChainMatch.SourceType sourceType = switch (proto.getSourceType()) {
      case ANY -> FilterChainMatch.SourceType.ANY;
      case SAME_IP_OR_LOOPBACK -> FilterChainMatch.SourceType.SAME_IP_OR_LOOPBACK;
      case EXTERNAL -> FilterChainMatch.SourceType.EXTERNAL;
      default -> throw new ResourceInvalidException(path + ".source_type: " + proto.getSourceType()
          + " is not supported");
    };
    return new FilterChainMatch(port, ranges(proto.getPrefixRangesList(), path + ".prefix_ranges"), serverNames,
        proto.getTransportProtocol(), proto.getApplicationProtocolsList(),
        ranges(proto.getDirectSourcePrefixRangesList(), path + ".direct_source_prefix_ranges"), sourceType,
        ranges(proto.getSourcePrefixRangesList(), path + ".source_prefix_ranges"), sourcePorts);
  }

  private static List<io.mesh4j.runtime.listener.CidrRange> ranges(List<CidrRange> protos, String path)
      throws ResourceInvalidException {
    List<io.mesh4j.runtime.listener.CidrRange> out = new ArrayList<>();
    for (int i = 0; i < protos.size(); i++) {
      CidrRange range = protos.get(i);
      String p = path + "[" + i + "]";
      InetAddress address = ipLiteral(range.getAddressPrefix(), p + ".address_prefix");
      int length = range.hasPrefixLen() ? range.getPrefixLen().getValue() : address.getAddress().length * 8;
      try {
        out.add(io.mesh4j.runtime.listener.CidrRange.of(address, length));
      } catch (IllegalArgumentException e) {
        throw new ResourceInvalidException(p + ".prefix_len: " + e.getMessage());
      }
    }
    return out;
  }

  /** An IP literal only: no name is ever resolved while decoding. */
  private static InetAddress ipLiteral(String text, String path) throws ResourceInvalidException {
    InetAddress address = ipLiteralOrNull(text);
    if (address == null) {
      throw new ResourceInvalidException(path + ": '" + text + "' is not an IP address");
    }
    return address;
  }

  private static InetAddress ipLiteralOrNull(String text) {
    if (text.isEmpty() || !(text.indexOf(':') >= 0 || text.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
      return null;
    }
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }

  /**
   * Refuses two chains that both claim some connection equally: every combination of their values (an empty list
   * being the one value "any") is a leaf of Envoy's match tree, and no leaf may have two chains.
   */
  private static void checkConflicts(List<ServerFilterChain> chains) throws ResourceInvalidException {
    Map<List<Object>, Integer> leaves = new HashMap<>();
    for (int c = 0; c < chains.size(); c++) {
      FilterChainMatch m = chains.get(c).match();
      List<List<Object>> dimensions = List.of(
          List.of(m.destinationPort()), orAny(m.prefixRanges()), orAny(m.serverNames()), List.of(m.transportProtocol()),
          orAny(m.applicationProtocols()), orAny(m.directSourcePrefixRanges()), List.of(m.sourceType()),
          orAny(m.sourcePrefixRanges()), orAny(m.sourcePorts()));
      long combinations = 1;
      for (List<Object> dimension : dimensions) {
        combinations *= dimension.size();
      }
      if (combinations > MAX_COMBINATIONS || leaves.size() + combinations > MAX_COMBINATIONS) {
        throw new ResourceInvalidException("filter_chains[" + c + "].filter_chain_match: more than "
            + MAX_COMBINATIONS + " combinations of values across the listener's chains");
      }
      Integer other = firstConflict(dimensions, 0, new ArrayList<>(), leaves, c);
      if (other != null) {
        throw new ResourceInvalidException("filter_chains[" + c + "].filter_chain_match: overlaps filter_chains["
            + other + "] (both would take the same connections)");
      }
    }
  }

  private static List<Object> orAny(List<?> values) {
    if (values.isEmpty()) {
      return List.of("*any*");
    }
    return new ArrayList<>(new java.util.LinkedHashSet<>(values));
  }

  private static Integer firstConflict(List<List<Object>> dimensions, int depth, List<Object> key,
      Map<List<Object>, Integer> leaves, int chain) {
    if (depth == dimensions.size()) {
      Integer previous = leaves.putIfAbsent(List.copyOf(key), chain);
      return previous == null || previous == chain ? null : previous;
    }
    for (Object value : dimensions.get(depth)) {
      key.add(value);
      Integer conflict = firstConflict(dimensions, depth + 1, key, leaves, chain);
      key.remove(key.size() - 1);
      if (conflict != null) {
        return conflict;
      }
    }
    return null;
  }
}

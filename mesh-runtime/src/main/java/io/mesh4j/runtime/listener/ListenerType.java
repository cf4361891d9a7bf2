package io.mesh4j.runtime.listener;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.mesh4j.runtime.filter.HttpFilterConfig;
import io.mesh4j.runtime.filter.FilterRegistry;
import io.mesh4j.runtime.filter.HttpFilterProvider;
import io.mesh4j.runtime.filter.builtin.BuiltInFilters;
import io.mesh4j.runtime.route.RouteConfigurationType;
import io.mesh4j.runtime.route.RouteTable;
import io.mesh4j.runtime.xds.ConfigSources;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ProtoDurations;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import io.mesh4j.runtime.xds.XdsResourceType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * LDS: client (API) listeners whose {@code api_listener} is an HttpConnectionManager, and server listeners (no
 * {@code api_listener}: an address and filter chains, see {@link ServerListenerDecoder}), told apart as gRPC does.
 *
 * <p>Rejected: {@code scoped_routes}; RDS from anything but ADS/self;
 * HTTP filters not in {@link BuiltInFilters#REGISTRY} (the fault filter) unless {@code is_optional}, and
 * {@code disabled} on them; HCM fields that change the request before routing
 * ({@code normalize_path}, {@code merge_slashes}, {@code path_with_escaped_slashes_action},
 * {@code path_normalization_options}, {@code strip_matching_host_port}, {@code strip_any_host_port},
 * {@code strip_trailing_host_dot}, {@code early_header_mutation_extensions}, {@code via}, ...: every field not listed
 * in {@link #HCM_IGNORABLE}). Accepted and noted: HCM fields that concern the downstream connection Envoy would
 * terminate, which an in-process client does not have (codec, timeouts of the downstream stream, access logs, XFF,
 * request ids, tracing...).
 */
public final class ListenerType extends XdsResourceType<ListenerResource> {
  public static final String TYPE_URL = "type.googleapis.com/envoy.config.listener.v3.Listener";
  /** Built-in filters, no certificate provider instances, no server listener name template. */
  public static final ListenerType INSTANCE = new ListenerType(Set.of(), BuiltInFilters.REGISTRY, null);

  static final String HCM_TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
  static final String ROUTER_TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";

  private static final Set<String> HCM_HANDLED =
      Set.of("rds", "route_config", "scoped_routes", "http_filters", "common_http_protocol_options");

  /** They concern the downstream connection or observability, not what happens to a request. */
  static final Set<String> HCM_IGNORABLE =
      Set.of(
          "codec_type", "stat_prefix", "add_user_agent", "tracing", "http1_safe_max_connection_duration",
          "http_protocol_options", "http2_protocol_options", "http3_protocol_options", "server_name",
          "server_header_transformation", "scheme_header_transformation", "max_request_headers_kb",
          "stream_idle_timeout", "request_timeout", "request_headers_timeout", "drain_timeout",
          "delayed_close_timeout", "access_log", "access_log_flush_interval", "flush_access_log_on_new_request",
          "access_log_options", "use_remote_address", "xff_num_trusted_hops", "original_ip_detection_extensions",
          "internal_address_config", "skip_xff_append", "generate_request_id", "preserve_external_request_id",
          "always_set_request_id_in_response", "forward_client_cert_details", "set_current_client_cert_details",
          "proxy_100_continue", "represent_ipv4_remote_address_as_ipv4_mapped_ipv6", "upgrade_configs",
          "request_id_extension", "local_reply_config", "stream_error_on_invalid_http_message",
          "proxy_status_config", "typed_header_validation_config", "append_x_forwarded_port",
          "append_local_overload", "add_proxy_protocol_connection_state");

  /** Of the HCM's common_http_protocol_options, all but max_stream_duration concern the downstream connection. */
  private static final Set<String> HTTP_OPTIONS_IGNORABLE =
      Set.of("idle_timeout", "max_connection_duration", "max_headers_count", "max_response_headers_kb",
          "headers_with_underscores_action", "max_requests_per_connection");

  /** Router fields that only affect stats, logs or Envoy's own headers. */
  private static final Set<String> ROUTER_IGNORABLE =
      Set.of("dynamic_stats", "start_child_span", "upstream_log", "upstream_log_options", "suppress_envoy_headers",
          "strict_check_headers", "respect_expected_rq_timeout", "suppress_grpc_request_failure_code_stats");

  private final Set<String> providerInstances;
  private final FilterRegistry filters;
  private final String serverListenerTemplate;

  private ListenerType(Set<String> providerInstances, FilterRegistry filters, String serverListenerTemplate) {
    this.providerInstances = Set.copyOf(providerInstances);
    this.filters = filters;
    this.serverListenerTemplate = serverListenerTemplate;
  }

  /**
   * The listener type of one mesh.
   *
   * @param providerInstances the bootstrap's certificate provider instances, the only ones a server chain's TLS may
   *     name
   * @param filters the HTTP filters HCMs may use
   * @param serverListenerTemplate the bootstrap's {@code server_listener_resource_name_template}, or null: a server
   *     listener whose name it makes must listen on the address and port its name asks for
   */
  public static ListenerType forMesh(Set<String> providerInstances, FilterRegistry filters,
      String serverListenerTemplate) {
    return new ListenerType(providerInstances, filters, serverListenerTemplate);
  }

  @Override
  public String typeUrl() {
    return TYPE_URL;
  }

  @Override
  public String shortName() {
    return "LDS";
  }

  @Override
  public Class<? extends Message> messageClass() {
    return Listener.class;
  }

  @Override
  protected int nameFieldNumber() {
    return Listener.NAME_FIELD_NUMBER;
  }

  @Override
  public boolean isFullStateOfTheWorld() {
    return true;
  }

  @Override
  public String name(Message message) {
    return ((Listener) message).getName();
  }

  @Override
  public ListenerResource decode(Message message, DecodeContext context) throws ResourceInvalidException {
    Listener listener = (Listener) message;
    if (!listener.hasApiListener()) {
      return ListenerResource.ofServer(
          ServerListenerDecoder.decode(listener, providerInstances, filters, serverListenerTemplate, context));
    }
    Any any = listener.getApiListener().getApiListener();
    if (!any.getTypeUrl().equals(HCM_TYPE_URL)) {
      throw new ResourceInvalidException(
          "api_listener.api_listener: type " + any.getTypeUrl() + " is not supported (only HttpConnectionManager)");
    }
    HttpConnectionManager hcm;
    try {
      hcm = any.unpack(HttpConnectionManager.class);
    } catch (InvalidProtocolBufferException e) {
      throw new ResourceInvalidException("api_listener.api_listener: cannot unpack: " + e.getMessage());
    }
    try {
      return decodeHcm(listener.getName(), hcm, filters, false, context);
    } catch (ResourceInvalidException e) {
      throw ResourceInvalidException.at("api_listener.api_listener", e);
    }
  }

  /** A server chain's HCM: the same fields as a client's, with server filters. */
  static HttpConnectionManagerConfig decodeServerHcm(HttpConnectionManager hcm, FilterRegistry registry,
      DecodeContext context) throws ResourceInvalidException {
    ListenerResource decoded = decodeHcm("", hcm, registry, true, context);
    return new HttpConnectionManagerConfig(decoded.rdsRouteConfigName(), decoded.inlineRouteTable(),
        decoded.httpFilters());
  }

  private static ListenerResource decodeHcm(String name, HttpConnectionManager hcm, FilterRegistry registry,
      boolean server, DecodeContext context) throws ResourceInvalidException {
    FieldAllowList.check(hcm, "", HCM_HANDLED, HCM_IGNORABLE, "LDS HttpConnectionManager", context);
    Duration maxStreamDuration = null;
    if (hcm.hasCommonHttpProtocolOptions()) {
      HttpProtocolOptions options = hcm.getCommonHttpProtocolOptions();
      FieldAllowList.check(options, "common_http_protocol_options.", Set.of("max_stream_duration"),
          HTTP_OPTIONS_IGNORABLE, "LDS HttpConnectionManager", context);
      if (options.hasMaxStreamDuration()) {
        maxStreamDuration = ProtoDurations.valid(
            options.getMaxStreamDuration(), "common_http_protocol_options.max_stream_duration");
      }
    }
    List<HttpFilterConfig> filters = decodeFilters(hcm, registry, server, context);
    switch (hcm.getRouteSpecifierCase()) {
      case RDS:
        Rds rds = hcm.getRds();
        if (!rds.hasConfigSource()) {
          throw new ResourceInvalidException("rds.config_source: missing");
        }
        ConfigSources.requireAds(rds.getConfigSource(), "rds.config_source", false);
        if (rds.getRouteConfigName().isEmpty()) {
          throw new ResourceInvalidException("rds.route_config_name: missing");
        }
        return new ListenerResource(name, rds.getRouteConfigName(), null, maxStreamDuration, filters);
      case ROUTE_CONFIG:
        RouteTable table;
        try {
          table = RouteConfigurationType.decodeRouteConfiguration(hcm.getRouteConfig(), registry, context);
        } catch (ResourceInvalidException e) {
          throw ResourceInvalidException.at("route_config", e);
        }
        return new ListenerResource(name, null, table, maxStreamDuration, filters);
      case SCOPED_ROUTES:
        throw new ResourceInvalidException("scoped_routes: not supported");
      default:
        throw new ResourceInvalidException("route_specifier: missing (rds or route_config)");
    }
  }

  /**
   * As gRPC: the router must come last; the filters before it are decoded through the registry, and one it does not
   * know, or that does not act on this side ({@code isClientFilter} / {@code isServerFilter}), is rejected unless it
   * is optional.
   */
  static List<HttpFilterConfig> decodeFilters(HttpConnectionManager hcm, FilterRegistry registry, boolean server,
      DecodeContext context) throws ResourceInvalidException {
    List<HttpFilterConfig> chain = new ArrayList<>();
    Set<String> names = new java.util.HashSet<>();
    int count = hcm.getHttpFiltersCount();
    if (count == 0) {
      throw new ResourceInvalidException("http_filters: missing (the router filter must be last)");
    }
    for (int i = 0; i < count; i++) {
      HttpFilter filter = hcm.getHttpFilters(i);
      String path = "http_filters[" + i + "]";
      if (filter.hasConfigDiscovery()) {
        if (filter.getIsOptional()) {
          context.ignoredField("LDS HttpConnectionManager: optional filter '" + filter.getName()
              + "' with config_discovery skipped");
          continue;
        }
        throw new ResourceInvalidException(path + ".config_discovery: not supported");
      }
      String typeUrl = filter.getTypedConfig().getTypeUrl();
      boolean router = typeUrl.equals(ROUTER_TYPE_URL);
      if (router) {
        if (i != count - 1) {
          throw new ResourceInvalidException(path + ": the router filter must be the last filter");
        }
        if (filter.getDisabled()) {
          throw new ResourceInvalidException(path + ".disabled: the router filter cannot be disabled");
        }
        decodeRouter(filter.getTypedConfig(), path + ".typed_config", context);
        return chain;
      }
      if (!names.add(filter.getName())) {
        throw new ResourceInvalidException(path + ".name: duplicate filter name '" + filter.getName() + "'");
      }
      HttpFilterProvider provider = registry.get(typeUrl);
      if (provider != null && !(server ? provider.isServerFilter() : provider.isClientFilter())) {
        if (filter.getIsOptional()) {
          context.ignoredField("LDS HttpConnectionManager: optional filter '" + filter.getName() + "' (" + typeUrl
              + ") does not act on a " + (server ? "server" : "client") + ", skipped");
          continue;
        }
        throw new ResourceInvalidException(path + ": filter '" + filter.getName() + "' (" + typeUrl
            + ") does not act on a " + (server ? "server listener" : "client listener"));
      }
      if (provider != null) {
        if (filter.getDisabled()) {
          throw new ResourceInvalidException(path + ".disabled: not supported");
        }
        chain.add(new HttpFilterConfig(
            filter.getName(), provider.parseBase(filter.getTypedConfig(), path + ".typed_config", context)));
        continue;
      }
      if (filter.getIsOptional()) {
        context.ignoredField("LDS HttpConnectionManager: optional filter '" + filter.getName() + "' ("
            + (typeUrl.isEmpty() ? "no typed_config" : typeUrl) + ") not supported, skipped");
        continue;
      }
      if (typeUrl.isEmpty()) {
        throw new ResourceInvalidException(path + ".typed_config: missing");
      }
      throw new ResourceInvalidException(
          path + ": filter '" + filter.getName() + "' (" + typeUrl + ") is not supported");
    }
    throw new ResourceInvalidException("http_filters: the last filter must be the router ("
        + ROUTER_TYPE_URL + ")");
  }

  static void decodeRouter(Any config, String path, DecodeContext context) throws ResourceInvalidException {
    Router router;
    try {
      router = config.unpack(Router.class);
    } catch (InvalidProtocolBufferException e) {
      throw new ResourceInvalidException(path + ": cannot unpack Router: " + e.getMessage());
    }
    FieldAllowList.check(router, path + ".", Set.of(), ROUTER_IGNORABLE, "LDS router filter", context);
  }
}

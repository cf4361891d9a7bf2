package io.mesh4j.runtime.route;

import static io.mesh4j.runtime.xds.FieldPath.invalid;
import static io.mesh4j.runtime.xds.FieldPath.of;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.mesh4j.runtime.filter.FilterOverrides;
import io.mesh4j.runtime.filter.FilterRegistry;
import io.mesh4j.runtime.filter.builtin.BuiltInFilters;
import io.mesh4j.runtime.matcher.HeaderMatcher;
import io.mesh4j.runtime.matcher.RouteMatchDecoder;
import io.mesh4j.runtime.matcher.RouteMatcher;
import io.mesh4j.runtime.policy.RoutePolicy;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Validates an {@code envoy.config.route.v3.RouteConfiguration} and compiles it into a {@link RouteTable}. Pure: the
 * same message gives the same table or the same error, whose message starts with the offending field's path in proto
 * names (e.g. {@code virtual_hosts[1].routes[0].match.safe_regex.regex: invalid regex '(': missing closing )}).
 *
 * <h2>Implemented (Envoy semantics)</h2>
 *
 * <ul>
 *   <li>RouteConfiguration {@code name}, {@code virtual_hosts}, {@code ignore_port_in_host_matching} (see {@link
 *       RouteTable} for how authorities with a port are matched).
 *   <li>VirtualHost {@code name} (required), {@code domains} (at least one; unique across the table, compared
 *       case-insensitively; exact, {@code *suffix}, {@code prefix*}, {@code *}), {@code routes} (in order).
 *   <li>Route {@code name}, {@code match} (required), {@code route} (the only action supported).
 *   <li>RouteMatch {@code prefix}, {@code path}, {@code safe_regex}, {@code path_separated_prefix},
 *       {@code case_sensitive} (default true; no effect on regexes), {@code headers}, {@code query_parameters},
 *       {@code grpc}, {@code runtime_fraction} (there is no runtime: {@code default_value} decides, the route matches
 *       when {@code random % denominator < numerator} with the request's draw; {@code runtime_key} is ignored).
 *   <li>HeaderMatcher: {@code string_match}, {@code present_match}, {@code range_match}, {@code invert_match},
 *       {@code treat_missing_header_as_empty} and the deprecated {@code exact_match}, {@code safe_regex_match},
 *       {@code prefix_match}, {@code suffix_match}, {@code contains_match} (see {@link HeaderMatcher}).
 *   <li>QueryParameterMatcher {@code string_match}, {@code present_match}; name only means "present".
 *   <li>StringMatcher {@code exact}, {@code prefix}, {@code suffix}, {@code contains}, {@code safe_regex},
 *       {@code ignore_case}. Like grpc-java, empty prefix/suffix/contains patterns are accepted (they match anything)
 *       although Envoy's validation asks for at least one character.
 *   <li>RouteAction {@code cluster} (non-empty) and {@code weighted_clusters} (non-empty list of named clusters;
 *       total = sum of weights, which must be in [1, 2^32-1]; the deprecated {@code total_weight}, if set, must equal
 *       the sum; {@code runtime_key_prefix} is ignored as there is no runtime).
 *   <li>Route {@code redirect} ({@link RedirectAction}), {@code direct_response} ({@link DirectResponseAction};
 *       body {@code inline_string}/{@code inline_bytes} up to {@code max_direct_response_body_size_bytes}, default
 *       4096); RouteAction {@code cluster_header} (only clusters the table's other routes name are subscribed, so
 *       only those are reachable: any other is NO_CLUSTER), {@code prefix_rewrite}, {@code regex_rewrite},
 *       {@code host_rewrite_literal}, {@code auto_host_rewrite} (the endpoint's address: EDS hostnames are not kept),
 *       {@code host_rewrite_header}, {@code host_rewrite_path_regex}, {@code append_x_forwarded_host}.
 *   <li>{@code request_headers_to_add/remove} and {@code response_headers_to_add/remove} on routes, virtual hosts
 *       and the route configuration, with {@code most_specific_header_mutations_wins} (see {@link HeaderMutations});
 *       values with {@code %COMMAND%} formatters are rejected ({@code %%} is a literal %).
 *   <li>{@code typed_per_filter_config} on routes, virtual hosts and weighted clusters, decoded through
 *       {@link io.mesh4j.runtime.filter.FilterRegistry}.
 *   <li>RouteAction {@code hash_policy}: header, cookie (with {@code ttl}: generated and set on the response),
 *       query_parameter, {@code terminal} (see {@link HashPolicyDecoder}; connection_properties and filter_state are
 *       rejected).
 *   <li>RouteAction {@code timeout} (unset: 15 s, {@code 0s}: disabled, what istiod sends), {@code idle_timeout},
 *       {@code max_stream_duration.max_stream_duration}, and {@code retry_policy}, else the VirtualHost's
 *       {@code retry_policy}; VirtualHost {@code include_request_attempt_count}: compiled into {@link Route#policy()}
 *       by {@link RoutePolicyDecoder} and {@link RetryPolicyDecoder} (which list what they reject) and enforced by
 *       the attempt loop ({@code io.mesh4j.runtime.policy}).
 * </ul>
 *
 * <h2>Accepted but ignored (reported once per field through {@link DecodeContext#ignoredField})</h2>
 *
 * Fields that do not change where or how a request is sent by an in-process client: Route {@code decorator},
 * {@code metadata}, {@code tracing}, {@code stat_prefix}, {@code per_request_buffer_limit_bytes}; VirtualHost
 * {@code virtual_clusters}, {@code include_attempt_count_in_response}, {@code include_is_timeout_retry_header}, {@code per_request_buffer_limit_bytes},
 * {@code metadata}; RouteConfiguration {@code validate_clusters}, {@code internal_only_headers},
 * {@code metadata};
 * RouteAction {@code max_grpc_timeout}, {@code grpc_timeout_offset} (deprecated; the grpc-timeout header, left to
 * the gRPC transport), {@code upgrade_configs}, {@code priority},
 * {@code cluster_not_found_response_code}, {@code include_vh_rate_limits};
 * RegexMatcher {@code google_re2}; RuntimeFractionalPercent {@code runtime_key}; WeightedCluster
 * {@code runtime_key_prefix}.
 *
 * <h2>Rejected as not supported yet</h2>
 *
 * Every other field, when set: e.g. {@code vhds}, {@code cluster_specifier_plugins}, {@code request_mirror_policies},
 * weighted-cluster header mutations, {@code
 * ignore_path_parameters_in_path_matching}, VirtualHost {@code matcher}, {@code require_tls}, {@code cors},
 * {@code rate_limits}, {@code retry_policy_typed_config}, {@code hedge_policy}; Route {@code filter_action}; RouteMatch {@code connect_matcher}, {@code
 * path_match_policy}, {@code tls_context}, {@code dynamic_metadata}, {@code filter_state}; RouteAction {@code
 * cluster_specifier_plugin}, {@code metadata_match}, {@code path_rewrite_policy},
 * {@code hedge_policy}, {@code internal_redirect_policy};
 * ClusterWeight {@code cluster_header}, {@code metadata_match}, {@code host_rewrite_literal}, header mutations;
 * DataSource {@code filename}, {@code environment_variable}; StringMatcher
 * {@code custom}. Fields added to the API later are rejected the same way until someone decides otherwise.
 */
public final class RouteConfigurationDecoder {
  private static final String NOT_ENFORCED = "decoded but not enforced yet";

  private static final FieldAllowList ROUTE_CONFIGURATION =
      FieldAllowList.of(
          Set.of("name", "virtual_hosts", "ignore_port_in_host_matching", "request_headers_to_add",
              "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove",
              "most_specific_header_mutations_wins", "max_direct_response_body_size_bytes"),
          Map.of(
              "validate_clusters", "clusters are not checked against CDS when the table is decoded",
              "internal_only_headers", "only concerns requests from outside the mesh",
              "metadata", "does not change routing"));
  private static final FieldAllowList VIRTUAL_HOST =
      FieldAllowList.of(
          Set.of("name", "domains", "routes", "typed_per_filter_config", "request_headers_to_add",
              "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove", "retry_policy",
              "include_request_attempt_count"),
          Map.of(
              "virtual_clusters", "statistics only",
              "include_attempt_count_in_response", "no x-envoy-attempt-count header is added",
              "include_is_timeout_retry_header", "no x-envoy-is-timeout-retry header is added",
              "per_request_buffer_limit_bytes", "requests are not buffered by the mesh",
              "metadata", "does not change routing"));
  private static final FieldAllowList ROUTE =
      FieldAllowList.of(
          Set.of("name", "match", "route", "redirect", "direct_response", "non_forwarding_action",
              "typed_per_filter_config", "request_headers_to_add", "request_headers_to_remove", "response_headers_to_add",
              "response_headers_to_remove"),
          Map.of(
              "decorator", "tracing is not implemented",
              "tracing", "tracing is not implemented",
              "metadata", "does not change routing",
              "stat_prefix", "statistics only",
              "per_request_buffer_limit_bytes", "requests are not buffered by the mesh"));
  private static final FieldAllowList ROUTE_ACTION =
      FieldAllowList.of(
          Set.of("cluster", "weighted_clusters", "timeout", "retry_policy", "cluster_header", "prefix_rewrite",
              "regex_rewrite", "host_rewrite_literal", "auto_host_rewrite", "host_rewrite_header",
              "host_rewrite_path_regex", "append_x_forwarded_host", "hash_policy", "idle_timeout",
              "max_stream_duration"),
          Map.of(
              "max_grpc_timeout", NOT_ENFORCED + " (deprecated gRPC timeout header cap; for the gRPC transport)",
              "grpc_timeout_offset", NOT_ENFORCED + " (deprecated gRPC timeout header offset; for the gRPC transport)",
              "upgrade_configs", "protocol upgrades are left to the HTTP client",
              "priority", "there is one connection pool per endpoint",
              "cluster_not_found_response_code", "a missing cluster fails the call with a MeshRoutingException",
              "include_vh_rate_limits", "rate limits are not supported"));
  private static final FieldAllowList WEIGHTED_CLUSTER =
      FieldAllowList.of(
          Set.of("clusters", "total_weight", "header_name"),
          Map.of("runtime_key_prefix", "there is no runtime: the configured weights apply"));
  private static final FieldAllowList CLUSTER_WEIGHT =
      FieldAllowList.of(Set.of("name", "weight", "typed_per_filter_config"), Map.of());


  private RouteConfigurationDecoder() {}

  public static RouteTable decode(RouteConfiguration config, DecodeContext context)
      throws ResourceInvalidException {
    return decode(config, BuiltInFilters.REGISTRY, context);
  }

  /** As {@link #decode(RouteConfiguration, DecodeContext)}, decoding {@code typed_per_filter_config} with {@code filters}. */
  public static RouteTable decode(RouteConfiguration config, FilterRegistry filters, DecodeContext context)
      throws ResourceInvalidException {
    return decode(config, filters, null, context);
  }

  /**
   * As {@link #decode(RouteConfiguration, FilterRegistry, DecodeContext)}, reusing the compiled virtual hosts of
   * {@code previous} (the table last accepted under this name, decoded with the same {@code filters}, or {@code null})
   * whose protos are equal to the new ones, when what a virtual host inherits from the table is unchanged too. istiod
   * sends one table of every virtual host per port, so a one-route change resends thousands of unchanged hosts. A
   * reused host was valid in that same context, and its domains are indexed again (a duplicate across hosts is still
   * found), so the result is what decoding everything gives; a changed host is decoded and validated in full.
   */
  static RouteTable decode(RouteConfiguration config, FilterRegistry filters, RouteTable previous,
      DecodeContext context) throws ResourceInvalidException {
    ROUTE_CONFIGURATION.check(config, "", context);
    DomainIndex.Builder domains = new DomainIndex.Builder();
    Set<String> clusters = new HashSet<>();
    Enclosing table = new Enclosing(
        ShapingDecoder.headers(config.getRequestHeadersToAddList(), config.getRequestHeadersToRemoveList(), "",
            "request", context),
        ShapingDecoder.headers(config.getResponseHeadersToAddList(), config.getResponseHeadersToRemoveList(), "",
            "response", context),
        config.getMostSpecificHeaderMutationsWins(),
        config.hasMaxDirectResponseBodySizeBytes()
            ? Integer.toUnsignedLong(config.getMaxDirectResponseBodySizeBytes().getValue())
            : ShapingDecoder.DEFAULT_MAX_DIRECT_RESPONSE_BODY,
        HeaderMutations.Level.EMPTY,
        HeaderMutations.Level.EMPTY,
        FilterOverrides.NONE,
        filters);
    Reusable reusable = Reusable.of(previous, config);
    VirtualHost[] hosts = new VirtualHost[config.getVirtualHostsCount()];
    for (int i = 0; i < hosts.length; i++) {
      io.envoyproxy.envoy.config.route.v3.VirtualHost proto = config.getVirtualHosts(i);
      String path = of("", "virtual_hosts", i);
      VirtualHost host = reusable == null ? null : reusable.find(i, proto);
      if (host == null) {
        host = decodeVirtualHost(proto, path, clusters, table, context);
      } else {
        host.addClusterNames(clusters);
      }
      indexDomains(proto, path, host, domains);
      hosts[i] = host;
    }
    // A changed table commonly names the clusters its predecessor named: it then shares that set, so that whoever
    // compares the two (the assembler, keeping its watches and cluster map) finds them the same object.
    Set<String> clusterNames = previous != null && previous.clusterNames().size() == clusters.size()
        && previous.clusterNames().equals(clusters) ? previous.clusterNames() : clusters;
    return new RouteTable(config.getName(), domains.build(), config.getIgnorePortInHostMatching(), clusterNames,
        new RouteTable.DecodedFrom(config, hosts));
  }

  /** The previous table's compiled hosts, found by index or name and reused when their protos are equal. */
  private record Reusable(RouteTable.DecodedFrom from, Map<String, Integer> byName) {
    static Reusable of(RouteTable previous, RouteConfiguration config) {
      RouteTable.DecodedFrom from = previous == null ? null : previous.decodedFrom();
      if (from == null || !sameEnclosing(from.proto(), config)) {
        return null;
      }
      return new Reusable(from, new HashMap<>());
    }

    VirtualHost find(int index, io.envoyproxy.envoy.config.route.v3.VirtualHost proto) {
      List<io.envoyproxy.envoy.config.route.v3.VirtualHost> old = from.proto().getVirtualHostsList();
      int at = index;
      if (at >= old.size() || !old.get(at).getName().equals(proto.getName())) {
        if (byName.isEmpty()) {
          for (int i = old.size() - 1; i >= 0; i--) {
            byName.put(old.get(i).getName(), i); // the first of a repeated name wins, as in order
          }
        }
        Integer named = byName.get(proto.getName());
        if (named == null) {
          return null;
        }
        at = named;
      }
      return old.get(at).equals(proto) ? from.hosts()[at] : null;
    }

    /** Whether what every virtual host inherits from the table (see {@link Enclosing}) is the same in both. */
    private static boolean sameEnclosing(RouteConfiguration a, RouteConfiguration b) {
      return a.getRequestHeadersToAddList().equals(b.getRequestHeadersToAddList())
          && a.getRequestHeadersToRemoveList().equals(b.getRequestHeadersToRemoveList())
          && a.getResponseHeadersToAddList().equals(b.getResponseHeadersToAddList())
          && a.getResponseHeadersToRemoveList().equals(b.getResponseHeadersToRemoveList())
          && a.getMostSpecificHeaderMutationsWins() == b.getMostSpecificHeaderMutationsWins()
          && a.hasMaxDirectResponseBodySizeBytes() == b.hasMaxDirectResponseBodySizeBytes()
          && a.getMaxDirectResponseBodySizeBytes().equals(b.getMaxDirectResponseBodySizeBytes());
    }
  }

  private static void indexDomains(io.envoyproxy.envoy.config.route.v3.VirtualHost proto, String path,
      VirtualHost host, DomainIndex.Builder domains) throws ResourceInvalidException {
    for (int i = 0; i < proto.getDomainsCount(); i++) {
      String domain = proto.getDomains(i);
      VirtualHost previous = domains.add(domain, host);
      if (previous != null) {
        throw invalid(
            of(path, "domains", i),
            "duplicate domain '" + domain + "' (also in virtual host '" + previous.name() + "')");
      }
    }
  }

  private static VirtualHost decodeVirtualHost(
      io.envoyproxy.envoy.config.route.v3.VirtualHost proto,
      String path,
      Set<String> clusters,
      Enclosing table,
      DecodeContext context)
      throws ResourceInvalidException {
    VIRTUAL_HOST.check(proto, path, context);
    Enclosing enclosing = new Enclosing(
        table.configRequest(),
        table.configResponse(),
        table.mostSpecificWins(),
        table.maxDirectResponseBody(),
        ShapingDecoder.headers(proto.getRequestHeadersToAddList(), proto.getRequestHeadersToRemoveList(), path,
            "request", context),
        ShapingDecoder.headers(proto.getResponseHeadersToAddList(), proto.getResponseHeadersToRemoveList(), path,
            "response", context),
        FilterOverrides.decode(proto.getTypedPerFilterConfigMap(), of(path, "typed_per_filter_config"),
            table.filters(), context),
        table.filters());
    if (proto.getName().isEmpty()) {
      throw invalid(of(path, "name"), "must not be empty");
    }
    if (proto.getDomainsCount() == 0) {
      throw invalid(of(path, "domains"), "must not be empty");
    }
    io.mesh4j.runtime.policy.RetryPolicy hostRetry = proto.hasRetryPolicy()
        ? RetryPolicyDecoder.decode(proto.getRetryPolicy(), of(path, "retry_policy"), context)
        : null;
    Route[] routes = new Route[proto.getRoutesCount()];
    for (int i = 0; i < routes.length; i++) {
      routes[i] = decodeRoute(proto.getRoutes(i), of(path, "routes", i), clusters, enclosing, context, hostRetry,
          proto.getIncludeRequestAttemptCount());
    }
    return new VirtualHost(proto.getName(), routes);
  }

  private static Route decodeRoute(
      io.envoyproxy.envoy.config.route.v3.Route proto,
      String path,
      Set<String> clusters,
      Enclosing enclosing,
      DecodeContext context,
      io.mesh4j.runtime.policy.RetryPolicy hostRetry,
      boolean includeAttemptCount)
      throws ResourceInvalidException {
    ROUTE.check(proto, path, context);
    if (!proto.hasMatch()) {
      throw invalid(of(path, "match"), "is required");
    }
    RouteMatcher matcher = RouteMatchDecoder.decodeMatch(proto.getMatch(), of(path, "match"), context);
    FilterOverrides routeFilters = FilterOverrides.decode(
        proto.getTypedPerFilterConfigMap(), of(path, "typed_per_filter_config"), enclosing.filters(), context);
    HeaderMutations requestHeaders = HeaderMutations.of(
        List.of(
            ShapingDecoder.headers(proto.getRequestHeadersToAddList(), proto.getRequestHeadersToRemoveList(), path,
                "request", context),
            enclosing.virtualHostRequest(),
            enclosing.configRequest()),
        enclosing.mostSpecificWins());
    HeaderMutations responseHeaders = HeaderMutations.of(
        List.of(
            ShapingDecoder.headers(proto.getResponseHeadersToAddList(), proto.getResponseHeadersToRemoveList(), path,
                "response", context),
            enclosing.virtualHostResponse(),
            enclosing.configResponse()),
        enclosing.mostSpecificWins());
    if (proto.hasRedirect() || proto.hasDirectResponse()) {
      RouteAction answer = proto.hasRedirect()
          ? ShapingDecoder.redirect(proto.getRedirect(), proto.getMatch(), of(path, "redirect"), context)
          : ShapingDecoder.directResponse(
              proto.getDirectResponse(), enclosing.maxDirectResponseBody(), of(path, "direct_response"), context);
      return new Route(proto.getName(), matcher, answer, RoutePolicy.DEFAULT,
          new RouteExtras(new RequestShaping(null, null, false, requestHeaders, responseHeaders), routeFilters,
              enclosing.virtualHostFilters()),
          HashPolicy.NONE);
    }
    if (proto.hasNonForwardingAction()) {
      // A server listener's route: the request goes on to the application (a client answers it NO_CLUSTER).
      return new Route(proto.getName(), matcher, NonForwardingAction.INSTANCE, RoutePolicy.DEFAULT,
          new RouteExtras(new RequestShaping(null, null, false, requestHeaders, responseHeaders), routeFilters,
              enclosing.virtualHostFilters()),
          HashPolicy.NONE);
    }
    if (!proto.hasRoute()) {
      throw invalid(path, "an action is required: one of route, redirect, direct_response, non_forwarding_action");
    }
    io.envoyproxy.envoy.config.route.v3.RouteAction action = proto.getRoute();
    String actionPath = of(path, "route");
    ROUTE_ACTION.check(action, actionPath, context);
    RouteAction routeAction;
    switch (action.getClusterSpecifierCase()) {
      case CLUSTER:
        if (action.getCluster().isEmpty()) {
          throw invalid(of(actionPath, "cluster"), "must not be empty");
        }
        routeAction = new ClusterAction(action.getCluster());
        break;
      case WEIGHTED_CLUSTERS:
        routeAction =
            decodeWeightedClusters(action.getWeightedClusters(), of(actionPath, "weighted_clusters"),
                enclosing.filters(), context);
        break;
      case CLUSTER_HEADER:
        String header = action.getClusterHeader().toLowerCase(Locale.ROOT);
        if (header.isEmpty()) {
          throw invalid(of(actionPath, "cluster_header"), "must not be empty");
        }
        routeAction = new ClusterHeaderAction(header);
        break;
      default:
        throw invalid(actionPath, "one of cluster, weighted_clusters, cluster_header is required");
    }
    RequestShaping shaping = new RequestShaping(
        pathRewrite(action, proto.getMatch(), actionPath, context),
        hostRewrite(action, actionPath, context),
        action.getAppendXForwardedHost(),
        requestHeaders,
        responseHeaders);
    RoutePolicy policy = RoutePolicyDecoder.decode(action, actionPath, hostRetry, includeAttemptCount, context);
    addClusterNames(routeAction, clusters);
    HashPolicy hashPolicy = HashPolicyDecoder.decode(action.getHashPolicyList(), of(actionPath, "hash_policy"));
    return new Route(
        proto.getName(),
        matcher,
        routeAction,
        policy,
        new RouteExtras(shaping, routeFilters, enclosing.virtualHostFilters()),
        hashPolicy);
  }

  /** The clusters an action sends to by name (a cluster header's are not known ahead). */
  static void addClusterNames(RouteAction action, Set<String> into) {
    if (action instanceof ClusterAction c) {
      into.add(c.cluster());
    } else if (action instanceof WeightedClustersAction weighted) {
      for (WeightedClustersAction.ClusterWeight c : weighted.clusters()) {
        into.add(c.name());
      }
    }
  }

  private static PathRewrite pathRewrite(
      io.envoyproxy.envoy.config.route.v3.RouteAction action, RouteMatch match, String path, DecodeContext context)
      throws ResourceInvalidException {
    boolean prefix = !action.getPrefixRewrite().isEmpty();
    if (prefix && action.hasRegexRewrite()) {
      throw invalid(path, "prefix_rewrite and regex_rewrite are mutually exclusive");
    }
    if (prefix) {
      return PathRewrite.prefix(action.getPrefixRewrite(), ShapingDecoder.matchedPrefixLength(match));
    }
    if (action.hasRegexRewrite()) {
      return ShapingDecoder.regexRewrite(action.getRegexRewrite(), of(path, "regex_rewrite"), context);
    }
    return null;
  }

  private static HostRewrite hostRewrite(
      io.envoyproxy.envoy.config.route.v3.RouteAction action, String path, DecodeContext context)
      throws ResourceInvalidException {
    switch (action.getHostRewriteSpecifierCase()) {
      case HOST_REWRITE_LITERAL:
        return action.getHostRewriteLiteral().isEmpty() ? null : HostRewrite.literal(action.getHostRewriteLiteral());
      case AUTO_HOST_REWRITE:
        return action.getAutoHostRewrite().getValue() ? HostRewrite.auto() : null;
      case HOST_REWRITE_HEADER:
        if (action.getHostRewriteHeader().isEmpty()) {
          throw invalid(of(path, "host_rewrite_header"), "must not be empty");
        }
        return HostRewrite.header(action.getHostRewriteHeader().toLowerCase(Locale.ROOT));
      case HOST_REWRITE_PATH_REGEX:
        return HostRewrite.pathRegex(
            ShapingDecoder.regexRewrite(action.getHostRewritePathRegex(), of(path, "host_rewrite_path_regex"), context));
      default:
        return null;
    }
  }

  /**
   * What a route inherits from its virtual host and route configuration. A table-level input added here must be
   * compared in {@link Reusable#sameEnclosing}, or a host would be reused across a change of it.
   */
  private record Enclosing(
      HeaderMutations.Level configRequest,
      HeaderMutations.Level configResponse,
      boolean mostSpecificWins,
      long maxDirectResponseBody,
      HeaderMutations.Level virtualHostRequest,
      HeaderMutations.Level virtualHostResponse,
      FilterOverrides virtualHostFilters,
      FilterRegistry filters) {}

  @SuppressWarnings("deprecation") // total_weight is deprecated but must still be checked when set
  private static WeightedClustersAction decodeWeightedClusters(
      WeightedCluster proto, String path, FilterRegistry filters, DecodeContext context)
      throws ResourceInvalidException {
    WEIGHTED_CLUSTER.check(proto, path, context);
    if (proto.getClustersCount() == 0) {
      throw invalid(of(path, "clusters"), "must not be empty");
    }
    List<WeightedClustersAction.ClusterWeight> clusters = new ArrayList<>(proto.getClustersCount());
    long sum = 0;
    for (int i = 0; i < proto.getClustersCount(); i++) {
      WeightedCluster.ClusterWeight cluster = proto.getClusters(i);
      String clusterPath = of(path, "clusters", i);
      CLUSTER_WEIGHT.check(cluster, clusterPath, context);
      if (cluster.getName().isEmpty()) {
        throw invalid(of(clusterPath, "name"), "must not be empty");
      }
      long weight = cluster.hasWeight() ? Integer.toUnsignedLong(cluster.getWeight().getValue()) : 0;
      sum += weight;
      clusters.add(new WeightedClustersAction.ClusterWeight(cluster.getName(), weight,
          FilterOverrides.decode(cluster.getTypedPerFilterConfigMap(), of(clusterPath, "typed_per_filter_config"),
              filters, context)));
    }
    if (sum == 0) {
      throw invalid(path, "the sum of the cluster weights must be greater than 0");
    }
    if (sum > WeightedClustersAction.MAX_TOTAL_WEIGHT) {
      throw invalid(path, "the sum of the cluster weights " + sum + " exceeds " + WeightedClustersAction.MAX_TOTAL_WEIGHT);
    }
    if (proto.hasTotalWeight() && Integer.toUnsignedLong(proto.getTotalWeight().getValue()) != sum) {
      throw invalid(
          of(path, "total_weight"),
          Integer.toUnsignedLong(proto.getTotalWeight().getValue()) + " is not the sum of the cluster weights " + sum);
    }
    String header = proto.getHeaderName().isEmpty() ? null : proto.getHeaderName().toLowerCase(Locale.ROOT);
    return WeightedClustersAction.of(clusters, header);
  }
}

package io.mesh4j.runtime.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.Decorator;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.Vhds;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The RDS type and every decode-time rejection: each message names the offending field in proto names. */
@SuppressWarnings("deprecation") // exercises the deprecated fields istiod still sends
class RouteConfigurationTypeTest {

  private static final RouteMatch.Builder ANY = RouteMatch.newBuilder().setPrefix("/");

  private static Route.Builder route() {
    return Route.newBuilder().setMatch(ANY).setRoute(RouteAction.newBuilder().setCluster("c"));
  }

  private static VirtualHost.Builder vhost(String name, String domain) {
    return VirtualHost.newBuilder().setName(name).addDomains(domain).addRoutes(route());
  }

  /** A valid config of two virtual hosts whose second one's first route is edited. */
  private static RouteConfiguration withRoute(UnaryOperator<Route.Builder> edit) {
    return RouteConfiguration.newBuilder()
        .setName("r")
        .addVirtualHosts(vhost("a", "a.com"))
        .addVirtualHosts(VirtualHost.newBuilder().setName("b").addDomains("b.com").addRoutes(edit.apply(route())))
        .build();
  }

  private static RouteConfiguration withMatch(UnaryOperator<RouteMatch.Builder> edit) {
    return withRoute(r -> r.setMatch(edit.apply(ANY.clone())));
  }

  private static RouteConfiguration withAction(UnaryOperator<RouteAction.Builder> edit) {
    return withRoute(r -> r.setRoute(edit.apply(RouteAction.newBuilder().setCluster("c"))));
  }

  private static RouteConfiguration withWeighted(WeightedCluster.Builder weighted) {
    return withAction(a -> a.setWeightedClusters(weighted));
  }

  private static WeightedCluster.ClusterWeight.Builder weight(String name, int weight) {
    return WeightedCluster.ClusterWeight.newBuilder().setName(name).setWeight(UInt32Value.of(weight));
  }

  private static RouteTable decode(RouteConfiguration config, List<String> notes) throws ResourceInvalidException {
    return RouteConfigurationType.INSTANCE.decode(config, notes::add);
  }

  private static void assertRejected(RouteConfiguration config, String message) {
    assertThatThrownBy(() -> decode(config, new ArrayList<>()))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }

  @Test
  void describesRds() throws Exception {
    RouteConfigurationType type = RouteConfigurationType.INSTANCE;
    assertThat(type.typeUrl()).isEqualTo("type.googleapis.com/envoy.config.route.v3.RouteConfiguration");
    assertThat(Any.pack(RouteConfiguration.getDefaultInstance()).getTypeUrl()).isEqualTo(type.typeUrl());
    assertThat(type.shortName()).isEqualTo("RDS");
    assertThat(type.isFullStateOfTheWorld()).isFalse();
    assertThat(type.messageClass()).isEqualTo(RouteConfiguration.class);
    RouteConfiguration config = withRoute(r -> r);
    assertThat(type.name(config)).isEqualTo("r");
    RouteTable table = decode(config, new ArrayList<>());
    assertThat(table.name()).isEqualTo("r");
    assertThat(table.clusterNames()).containsExactly("c");
  }

  @Test
  void emptyConfigurationRoutesNothing() throws Exception {
    RouteTable table = decode(RouteConfiguration.newBuilder().setName("empty").build(), new ArrayList<>());
    assertThat(table.virtualHostName("a.com")).isNull();
    assertThat(table.clusterNames()).isEmpty();
  }

  @Test
  void invalidRegexNamesTheField() {
    assertRejected(
        withMatch(m -> m.setSafeRegex(RegexMatcher.newBuilder().setRegex("("))),
        "virtual_hosts[1].routes[0].match.safe_regex.regex: invalid regex '(': missing closing )");
    assertRejected(
        withMatch(m -> m.setSafeRegex(RegexMatcher.newBuilder())),
        "virtual_hosts[1].routes[0].match.safe_regex.regex: must not be empty");
    assertRejected(
        withMatch(
            m ->
                m.addHeaders(HeaderMatcher.newBuilder().setName("x"))
                    .addHeaders(
                        HeaderMatcher.newBuilder()
                            .setName("y")
                            .setSafeRegexMatch(RegexMatcher.newBuilder().setRegex("a**")))),
        "virtual_hosts[1].routes[0].match.headers[1].safe_regex_match.regex: invalid regex 'a**': "
            + "invalid nested repetition operator");
    assertRejected(
        withMatch(
            m ->
                m.addQueryParameters(
                    QueryParameterMatcher.newBuilder()
                        .setName("q")
                        .setStringMatch(
                            StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex("[a"))))),
        "virtual_hosts[1].routes[0].match.query_parameters[0].string_match.safe_regex.regex: invalid regex '[a': "
            + "missing closing ]");
  }

  @Test
  void virtualHostValidation() {
    assertRejected(
        RouteConfiguration.newBuilder()
            .addVirtualHosts(vhost("a", "a.com"))
            .addVirtualHosts(vhost("b", "x.com").addDomains("A.COM"))
            .build(),
        "virtual_hosts[1].domains[1]: duplicate domain 'A.COM' (also in virtual host 'a')");
    assertRejected(
        RouteConfiguration.newBuilder().addVirtualHosts(vhost("a", "*")).addVirtualHosts(vhost("b", "*")).build(),
        "virtual_hosts[1].domains[0]: duplicate domain '*' (also in virtual host 'a')");
    assertRejected(
        RouteConfiguration.newBuilder().addVirtualHosts(vhost("a", "*.a.com").addDomains("*.a.com")).build(),
        "virtual_hosts[0].domains[1]: duplicate domain '*.a.com' (also in virtual host 'a')");
    assertRejected(
        RouteConfiguration.newBuilder().addVirtualHosts(VirtualHost.newBuilder().setName("a")).build(),
        "virtual_hosts[0].domains: must not be empty");
    assertRejected(
        RouteConfiguration.newBuilder().addVirtualHosts(VirtualHost.newBuilder().addDomains("a")).build(),
        "virtual_hosts[0].name: must not be empty");
  }

  @Test
  void routeValidation() {
    assertRejected(withRoute(Route.Builder::clearMatch), "virtual_hosts[1].routes[0].match: is required");
    assertRejected(
        withRoute(Route.Builder::clearRoute),
        "virtual_hosts[1].routes[0]: an action is required: one of route, redirect, direct_response, "
            + "non_forwarding_action");
    assertRejected(
        withMatch(RouteMatch.Builder::clearPrefix),
        "virtual_hosts[1].routes[0].match: one of prefix, path, safe_regex, path_separated_prefix is required");
    assertRejected(
        withMatch(m -> m.setPathSeparatedPrefix("/api/")),
        "virtual_hosts[1].routes[0].match.path_separated_prefix: '/api/' must have at least two characters, "
            + "no '?' or '#', and not end with '/'");
    assertRejected(
        withMatch(m -> m.setPathSeparatedPrefix("/a?b")),
        "virtual_hosts[1].routes[0].match.path_separated_prefix: '/a?b' must have at least two characters, "
            + "no '?' or '#', and not end with '/'");
    assertRejected(
        withMatch(m -> m.addHeaders(HeaderMatcher.newBuilder())),
        "virtual_hosts[1].routes[0].match.headers[0].name: must not be empty");
    assertRejected(
        withMatch(m -> m.addQueryParameters(QueryParameterMatcher.newBuilder())),
        "virtual_hosts[1].routes[0].match.query_parameters[0].name: must not be empty");
    assertRejected(
        withMatch(
            m ->
                m.addHeaders(
                    HeaderMatcher.newBuilder().setName("x").setStringMatch(StringMatcher.newBuilder()))),
        "virtual_hosts[1].routes[0].match.headers[0].string_match: one of exact, prefix, suffix, contains, "
            + "safe_regex is required");
    assertRejected(
        withMatch(m -> m.setRuntimeFraction(RuntimeFractionalPercent.newBuilder().setRuntimeKey("k"))),
        "virtual_hosts[1].routes[0].match.runtime_fraction.default_value: is required");
    assertRejected(
        withMatch(
            m ->
                m.setRuntimeFraction(
                    RuntimeFractionalPercent.newBuilder()
                        .setDefaultValue(FractionalPercent.newBuilder().setNumerator(1).setDenominatorValue(7)))),
        "virtual_hosts[1].routes[0].match.runtime_fraction.default_value.denominator: unknown denominator 7");
  }

  @Test
  void actionValidation() {
    assertRejected(
        withAction(a -> a.setCluster("")), "virtual_hosts[1].routes[0].route.cluster: must not be empty");
    assertRejected(
        withAction(RouteAction.Builder::clearClusterSpecifier),
        "virtual_hosts[1].routes[0].route: one of cluster, weighted_clusters, cluster_header is required");
    assertRejected(
        withAction(a -> a.setTimeout(Duration.newBuilder().setSeconds(-1))),
        "virtual_hosts[1].routes[0].route.timeout: must be a non-negative duration, got -1s 0ns");
  }

  @Test
  void weightedClustersValidation() { // vector 25
    String path = "virtual_hosts[1].routes[0].route.weighted_clusters";
    assertRejected(withWeighted(WeightedCluster.newBuilder()), path + ".clusters: must not be empty");
    assertRejected(
        withWeighted(WeightedCluster.newBuilder().addClusters(weight("a", 0)).addClusters(weight("b", 0))),
        path + ": the sum of the cluster weights must be greater than 0");
    assertRejected(
        withWeighted(
            WeightedCluster.newBuilder().addClusters(weight("a", -1)).addClusters(weight("b", 1))), // -1 = 2^32-1
        path + ": the sum of the cluster weights 4294967296 exceeds 4294967295");
    assertRejected(
        withWeighted(
            WeightedCluster.newBuilder()
                .addClusters(weight("a", 30))
                .addClusters(weight("b", 70))
                .setTotalWeight(UInt32Value.of(1000))),
        path + ".total_weight: 1000 is not the sum of the cluster weights 100");
    assertRejected(
        withWeighted(WeightedCluster.newBuilder().addClusters(weight("", 1))),
        path + ".clusters[0].name: must not be empty");
  }

  @Test
  void weightedClustersAccepted() throws Exception {
    RouteTable table =
        decode(
            withWeighted(
                WeightedCluster.newBuilder()
                    .addClusters(weight("a", 30))
                    .addClusters(weight("b", 70))
                    .setTotalWeight(UInt32Value.of(100))),
            new ArrayList<>());
    assertThat(table.clusterNames()).containsExactlyInAnyOrder("a", "b", "c");
    RouteTable max =
        decode(withWeighted(WeightedCluster.newBuilder().addClusters(weight("a", -1))), new ArrayList<>());
    assertThat(max.clusterNames()).contains("a");
  }

  @Test
  void unsupportedFieldsAreRejectedByPath() {
    List<Object[]> cases =
        List.of(
            new Object[] {
              RouteConfiguration.newBuilder().setVhds(Vhds.getDefaultInstance()).build(), "vhds: not supported yet"
            },
            new Object[] {
              RouteConfiguration.newBuilder().addRequestHeadersToRemove(":path").build(),
              "request_headers_to_remove[0]: ':path' may not be modified"
            },
            new Object[] {
              RouteConfiguration.newBuilder().setIgnorePathParametersInPathMatching(true).build(),
              "ignore_path_parameters_in_path_matching: not supported yet"
            },
            new Object[] {
              RouteConfiguration.newBuilder()
                  .addVirtualHosts(vhost("a", "a").setRequireTls(VirtualHost.TlsRequirementType.ALL))
                  .build(),
              "virtual_hosts[0].require_tls: not supported yet"
            },
            new Object[] {
              RouteConfiguration.newBuilder()
                  .addVirtualHosts(vhost("a", "a").putTypedPerFilterConfig("f", Any.getDefaultInstance()))
                  .build(),
              "virtual_hosts[0].typed_per_filter_config['f']: missing config"
            },
            new Object[] {
              RouteConfiguration.newBuilder()
                  .addVirtualHosts(vhost("a", "a").setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("5xx,bogus")))
                  .build(),
              "virtual_hosts[0].retry_policy.retry_on: unknown retry condition 'bogus'"
            },
            new Object[] {
              withRoute(r -> r.clearRoute().setDirectResponse(DirectResponseAction.newBuilder().setStatus(200)
                  .setBody(io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder().setFilename("/etc/passwd")))),
              "virtual_hosts[1].routes[0].direct_response.body.filename: not supported yet"
            },
            new Object[] {
              withRoute(r -> r.addRequestHeadersToAdd(HeaderValueOption.getDefaultInstance())),
              "virtual_hosts[1].routes[0].request_headers_to_add[0].header: is required"
            },
            new Object[] {
              withRoute(r -> r.putTypedPerFilterConfig("f", Any.getDefaultInstance())),
              "virtual_hosts[1].routes[0].typed_per_filter_config['f']: missing config"
            },
            new Object[] {
              withMatch(m -> m.setConnectMatcher(RouteMatch.ConnectMatcher.getDefaultInstance())),
              "virtual_hosts[1].routes[0].match.connect_matcher: not supported yet"
            },
            new Object[] {
              withMatch(m -> m.addDynamicMetadata(io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher.getDefaultInstance())),
              "virtual_hosts[1].routes[0].match.dynamic_metadata: not supported yet"
            },
            new Object[] {
              withMatch(
                  m ->
                      m.setTlsContext(
                          RouteMatch.TlsContextMatchOptions.newBuilder().setPresented(BoolValue.of(true)))),
              "virtual_hosts[1].routes[0].match.tls_context: not supported yet"
            },
            new Object[] {
              withAction(a -> a.addHashPolicy(RouteAction.HashPolicy.newBuilder().setFilterState(
                  RouteAction.HashPolicy.FilterState.newBuilder().setKey("k")))),
              "virtual_hosts[1].routes[0].route.hash_policy[0].filter_state: not supported"
            },
            new Object[] {
              withAction(a -> a.setIdleTimeout(Duration.newBuilder().setSeconds(-1))),
              "virtual_hosts[1].routes[0].route.idle_timeout: must be a non-negative duration, got -1s 0ns"
            },
            new Object[] {
              withAction(a -> a.addRequestMirrorPolicies(RouteAction.RequestMirrorPolicy.getDefaultInstance())),
              "virtual_hosts[1].routes[0].route.request_mirror_policies: not supported yet"
            },
            new Object[] {
              withWeighted(
                  WeightedCluster.newBuilder()
                      .addClusters(weight("a", 1).putTypedPerFilterConfig("f", Any.getDefaultInstance()))),
              "virtual_hosts[1].routes[0].route.weighted_clusters.clusters[0].typed_per_filter_config['f']: "
                  + "missing config"
            },
            new Object[] {
              withWeighted(WeightedCluster.newBuilder().addClusters(weight("a", 1).setHostRewriteLiteral("h"))),
              "virtual_hosts[1].routes[0].route.weighted_clusters.clusters[0].host_rewrite_literal: not supported yet"
            },
            new Object[] {
              withMatch(
                  m ->
                      m.addHeaders(
                          HeaderMatcher.newBuilder()
                              .setName("x")
                              .setStringMatch(
                                  StringMatcher.newBuilder()
                                      .setCustom(
                                          com.github.xds.core.v3.TypedExtensionConfig
                                              .getDefaultInstance())))),
              "virtual_hosts[1].routes[0].match.headers[0].string_match.custom: not supported yet"
            });
    for (Object[] c : cases) {
      assertRejected((RouteConfiguration) c[0], (String) c[1]);
    }
  }

  @Test
  void fieldsThatDoNotChangeRequestsAreReportedNotRejected() throws Exception {
    RouteConfiguration config =
        RouteConfiguration.newBuilder()
            .setName("istio-like")
            .setValidateClusters(BoolValue.of(false))
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("svc:8080")
                    .addDomains("svc")
                    .addDomains("svc:8080")
                    .setIncludeRequestAttemptCount(true)
                    .addRoutes(
                        Route.newBuilder()
                            .setName("default")
                            .setDecorator(Decorator.newBuilder().setOperation("svc:8080/*"))
                            .setMetadata(Metadata.getDefaultInstance().toBuilder().putFilterMetadata("istio", com.google.protobuf.Struct.getDefaultInstance()))
                            .setMatch(ANY)
                            .setRoute(
                                RouteAction.newBuilder()
                                    .setCluster("outbound|8080||svc")
                                    .setTimeout(Duration.getDefaultInstance())
                                    .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("connect-failure"))
                                    .setMaxGrpcTimeout(Duration.getDefaultInstance())
                                    .setMaxStreamDuration(
                                        RouteAction.MaxStreamDuration.newBuilder()
                                            .setMaxStreamDuration(Duration.getDefaultInstance()))
                                    .addUpgradeConfigs(
                                        RouteAction.UpgradeConfig.newBuilder().setUpgradeType("websocket")))))
            .build();
    List<String> notes = new ArrayList<>();
    RouteTable table = decode(config, notes);
    assertThat(table.virtualHostName("svc:8080")).isEqualTo("svc:8080");
    assertThat(notes)
        .contains(
            "envoy.config.route.v3.RouteConfiguration.validate_clusters: "
                + "clusters are not checked against CDS when the table is decoded",
            "envoy.config.route.v3.Route.decorator: tracing is not implemented",
            "envoy.config.route.v3.Route.metadata: does not change routing",
            "envoy.config.route.v3.RouteAction.max_grpc_timeout: "
                + "decoded but not enforced yet (deprecated gRPC timeout header cap; for the gRPC transport)",
            "envoy.config.route.v3.RouteAction.upgrade_configs: protocol upgrades are left to the HTTP client");
    assertThat(notes).allSatisfy(note -> assertThat(note).doesNotContain("["));
  }

  @Test
  void inlineDecodingIsTheSameAsRds() throws Exception {
    RouteConfiguration config = withRoute(r -> r);
    RouteTable inline = RouteConfigurationType.decodeRouteConfiguration(config, DecodeContext.discarding());
    assertThat(inline.clusterNames()).isEqualTo(decode(config, new ArrayList<>()).clusterNames());
    assertThatThrownBy(
            () ->
                RouteConfigurationType.decodeRouteConfiguration(
                    withAction(a -> a.addRequestMirrorPolicies(RouteAction.RequestMirrorPolicy.newBuilder().setCluster("m"))),
                    DecodeContext.discarding()))
        .hasMessage("virtual_hosts[1].routes[0].route.request_mirror_policies: not supported yet");
  }
}

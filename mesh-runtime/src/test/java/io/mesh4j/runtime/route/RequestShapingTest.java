package io.mesh4j.runtime.route;

import static io.mesh4j.runtime.route.RouteProtos.prefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.mesh4j.runtime.view.HeaderEditor;
import io.mesh4j.runtime.view.InMemoryRequest;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Rewrites, header mutations, redirects and direct responses: decoded by the real decoder, applied as Envoy does. */
class RequestShapingTest {

  private static RouteTable table(Route route) {
    return RouteProtos.table(route);
  }

  private static io.mesh4j.runtime.route.Route only(Route route, String path) {
    return table(route).select(InMemoryRequest.get("a:80", path), 0);
  }

  private static Route forward(RouteMatch.Builder match, UnaryOperator<RouteAction.Builder> action) {
    return Route.newBuilder().setMatch(match).setRoute(action.apply(RouteAction.newBuilder().setCluster("c"))).build();
  }

  private static RegexMatchAndSubstitute regex(String pattern, String substitution) {
    return RegexMatchAndSubstitute.newBuilder().setPattern(RouteProtos.regex(pattern)).setSubstitution(substitution)
        .build();
  }

  @Test
  void prefixRewriteReplacesWhatTheRouteMatchedAndKeepsTheQuery() {
    assertThat(only(forward(prefix("/api/"), a -> a.setPrefixRewrite("/")), "/api/items?x=1")
        .shaping().pathRewrite().apply("/api/items?x=1")).isEqualTo("/items?x=1");
    assertThat(only(forward(RouteProtos.path("/old"), a -> a.setPrefixRewrite("/new")), "/old?q")
        .shaping().pathRewrite().apply("/old?q")).isEqualTo("/new?q");
    assertThat(only(forward(RouteProtos.regexPath("/v[0-9]+/.*"), a -> a.setPrefixRewrite("/x")), "/v1/a?q")
        .shaping().pathRewrite().apply("/v1/a?q")).isEqualTo("/x?q");
  }

  @Test
  void regexRewriteReplacesEveryMatchWithBackReferences() {
    PathRewrite rewrite = only(forward(prefix("/"), a -> a.setRegexRewrite(regex("^/service/([^/]+)(/.*)$", "\\2/instance/\\1"))),
        "/service/foo/v1/api").shaping().pathRewrite();
    assertThat(rewrite.apply("/service/foo/v1/api?x=$1")).isEqualTo("/v1/api/instance/foo?x=$1");
    PathRewrite all = only(forward(prefix("/"), a -> a.setRegexRewrite(regex("o", "0$"))), "/foo").shaping()
        .pathRewrite();
    assertThat(all.apply("/foo")).isEqualTo("/f0$0$");
  }

  @Test
  void hostRewrites() {
    InMemoryRequest request = InMemoryRequest.get("a:80", "/tenant/acme/x").header("x-host", "from-header");
    assertThat(only(forward(prefix("/"), a -> a.setHostRewriteLiteral("lit")), "/").shaping().hostRewrite()
        .apply(request, "10.0.0.1")).isEqualTo("lit");
    assertThat(only(forward(prefix("/"), a -> a.setAutoHostRewrite(BoolValue.of(true))), "/").shaping().hostRewrite()
        .apply(request, "10.0.0.1")).isEqualTo("10.0.0.1");
    assertThat(only(forward(prefix("/"), a -> a.setAutoHostRewrite(BoolValue.of(false))), "/").shaping().hostRewrite())
        .isNull();
    HostRewrite header = only(forward(prefix("/"), a -> a.setHostRewriteHeader("X-Host")), "/").shaping().hostRewrite();
    assertThat(header.apply(request, "10.0.0.1")).isEqualTo("from-header");
    assertThat(header.apply(InMemoryRequest.get("a:80", "/"), "10.0.0.1")).isNull(); // absent: Host kept
    assertThat(only(forward(prefix("/"), a -> a.setHostRewritePathRegex(regex("^/tenant/([^/]+)/.*$", "\\1.svc"))), "/")
        .shaping().hostRewrite().apply(request, "10.0.0.1")).isEqualTo("acme.svc");
  }

  /** Records mutations on a plain multimap. */
  private static final class Headers implements HeaderEditor {
    final Map<String, List<String>> values = new LinkedHashMap<>();

    @Override
    public boolean has(String name) {
      return values.containsKey(name);
    }

    @Override
    public void add(String name, String value) {
      values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }

    @Override
    public void set(String name, String value) {
      values.put(name, new ArrayList<>(List.of(value)));
    }

    @Override
    public void remove(String name) {
      values.remove(name);
    }
  }

  private static HeaderValueOption option(String name, String value, HeaderAppendAction action) {
    return HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(action).build();
  }

  private static HeaderMutations requestMutations(boolean mostSpecificWins) {
    RouteConfiguration config = RouteConfiguration.newBuilder().setName("r")
        .setMostSpecificHeaderMutationsWins(mostSpecificWins)
        .addRequestHeadersToAdd(option("x-level", "config", HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
        .addVirtualHosts(VirtualHost.newBuilder().setName("v").addDomains("*")
            .addRequestHeadersToAdd(option("x-level", "vhost", HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
            .addRoutes(Route.newBuilder().setMatch(prefix("/")).setRoute(RouteAction.newBuilder().setCluster("c"))
                .addRequestHeadersToAdd(option("x-level", "route", HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
                .addRequestHeadersToAdd(option("x-append", "r", HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD))
                .addRequestHeadersToAdd(option("x-absent", "r", HeaderAppendAction.ADD_IF_ABSENT))
                .addRequestHeadersToAdd(option("x-if-exists", "r", HeaderAppendAction.OVERWRITE_IF_EXISTS))
                .addRequestHeadersToAdd(option("x-missing", "r", HeaderAppendAction.OVERWRITE_IF_EXISTS))
                .addRequestHeadersToAdd(option("x-empty", "", HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD))
                .addRequestHeadersToAdd(option("x-kept-empty", "", HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD)
                    .toBuilder().setKeepEmptyValue(true).build())
                .addRequestHeadersToRemove("x-append")))
        .build();
    return RouteProtos.decode(config).select(InMemoryRequest.get("a", "/"), 0).shaping().requestHeaders();
  }

  @Test
  void headerMutationsFollowEnvoysOrderAndAppendActions() {
    Headers headers = new Headers();
    headers.add("x-append", "client");
    headers.add("x-absent", "client");
    headers.add("x-if-exists", "client");
    requestMutations(false).apply(headers);
    assertThat(headers.values.get("x-level")).containsExactly("config"); // route, vhost, config: config acts last
    assertThat(headers.values.get("x-append")).containsExactly("r"); // removed first, then added
    assertThat(headers.values.get("x-absent")).containsExactly("client");
    assertThat(headers.values.get("x-if-exists")).containsExactly("r");
    assertThat(headers.values).doesNotContainKeys("x-missing", "x-empty");
    assertThat(headers.values.get("x-kept-empty")).containsExactly("");

    Headers specific = new Headers();
    requestMutations(true).apply(specific);
    assertThat(specific.values.get("x-level")).containsExactly("route");
  }

  @Test
  void deprecatedAppendMapsToAnAction() {
    Headers headers = new Headers();
    headers.add("x-a", "client");
    HeaderValueOption overwrite = HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey("x-a").setValue("v")).setAppend(BoolValue.of(false)).build();
    only(Route.newBuilder().setMatch(prefix("/")).setRoute(RouteAction.newBuilder().setCluster("c"))
        .addRequestHeadersToAdd(overwrite).build(), "/").shaping().requestHeaders().apply(headers);
    assertThat(headers.values.get("x-a")).containsExactly("v");
  }

  private static String location(RedirectAction.Builder redirect, RouteMatch.Builder match, InMemoryRequest request) {
    io.mesh4j.runtime.route.Route route =
        table(Route.newBuilder().setMatch(match).setRedirect(redirect).build()).select(request, 0);
    return ((io.mesh4j.runtime.route.RedirectAction) route.action()).location(request);
  }

  @Test
  void redirectLocations() {
    InMemoryRequest request = InMemoryRequest.get("shop:8080", "/old/a?q=1");
    assertThat(location(RedirectAction.newBuilder(), prefix("/"), request)).isEqualTo("http://shop:8080/old/a?q=1");
    assertThat(location(RedirectAction.newBuilder().setPathRedirect("/new"), prefix("/"), request))
        .isEqualTo("http://shop:8080/new?q=1");
    assertThat(location(RedirectAction.newBuilder().setPathRedirect("/new").setStripQuery(true), prefix("/"), request))
        .isEqualTo("http://shop:8080/new");
    assertThat(location(RedirectAction.newBuilder().setPathRedirect("/new?z=2"), prefix("/"), request))
        .isEqualTo("http://shop:8080/new?z=2");
    assertThat(location(RedirectAction.newBuilder().setPrefixRewrite("/v2/"), prefix("/old/"), request))
        .isEqualTo("http://shop:8080/v2/a?q=1");
    assertThat(location(RedirectAction.newBuilder().setRegexRewrite(regex("old", "neu")), prefix("/"), request))
        .isEqualTo("http://shop:8080/neu/a?q=1");
    assertThat(location(RedirectAction.newBuilder().setPortRedirect(9090), prefix("/"), request))
        .isEqualTo("http://shop:9090/old/a?q=1");
    assertThat(location(RedirectAction.newBuilder().setHostRedirect("other"), prefix("/"), request))
        .isEqualTo("http://other/old/a?q=1");
    assertThat(location(RedirectAction.newBuilder().setSchemeRedirect("HTTPS"), prefix("/"), request))
        .isEqualTo("https://shop:8080/old/a?q=1");
    // The source scheme's default port goes when the scheme changes (RedirectAction's documentation).
    assertThat(location(RedirectAction.newBuilder().setHttpsRedirect(true), prefix("/"),
        InMemoryRequest.get("shop:80", "/p"))).isEqualTo("https://shop/p");
    io.mesh4j.runtime.route.Route found = table(Route.newBuilder().setMatch(prefix("/"))
        .setRedirect(RedirectAction.newBuilder().setResponseCode(RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT))
        .build()).select(request, 0);
    assertThat(((io.mesh4j.runtime.route.RedirectAction) found.action()).status()).isEqualTo(308);
  }

  @Test
  void directResponses() {
    io.mesh4j.runtime.route.Route route = table(Route.newBuilder().setMatch(prefix("/"))
        .setDirectResponse(DirectResponseAction.newBuilder().setStatus(503)
            .setBody(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8("down")))).build())
        .select(InMemoryRequest.get("a", "/"), 0);
    io.mesh4j.runtime.route.DirectResponseAction action = (io.mesh4j.runtime.route.DirectResponseAction) route.action();
    assertThat(action.status()).isEqualTo(503);
    assertThat(new String(action.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("down");
  }

  private static void assertRejected(RouteConfiguration config, String message) {
    assertThatThrownBy(() -> RouteConfigurationDecoder.decode(config, DecodeContext.discarding()))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }

  private static RouteConfiguration withRoute(Route.Builder route) {
    return RouteProtos.config(VirtualHost.newBuilder().setName("v").addDomains("*").addRoutes(route).build());
  }

  private static Route.Builder forwardingRoute(UnaryOperator<RouteAction.Builder> action) {
    return Route.newBuilder().setMatch(prefix("/")).setRoute(action.apply(RouteAction.newBuilder().setCluster("c")));
  }

  @Test
  void rejections() {
    String r = "virtual_hosts[0].routes[0]";
    assertRejected(withRoute(forwardingRoute(a -> a.setPrefixRewrite("/a").setRegexRewrite(regex("a", "b")))),
        r + ".route: prefix_rewrite and regex_rewrite are mutually exclusive");
    assertRejected(withRoute(forwardingRoute(a -> a.setRegexRewrite(regex("(a)", "\\2")))),
        r + ".route.regex_rewrite.substitution: invalid substitution '\\2': \\2 but the pattern has 1 groups");
    assertRejected(withRoute(forwardingRoute(a -> a.setRegexRewrite(regex("a", "\\q")))),
        r + ".route.regex_rewrite.substitution: invalid substitution '\\q': invalid escape \\q (only \\0-\\9 and \\\\)");
    assertRejected(withRoute(forwardingRoute(a -> a.setHostRewriteHeader(""))),
        r + ".route.host_rewrite_header: must not be empty");
    assertRejected(withRoute(forwardingRoute(a -> a.clearCluster().setClusterHeader(""))),
        r + ".route.cluster_header: must not be empty");
    assertRejected(withRoute(forwardingRoute(a -> a).addRequestHeadersToAdd(
            option("x", "%DOWNSTREAM_REMOTE_ADDRESS%", HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD))),
        r + ".request_headers_to_add[0].header.value: header value formatters (%...%) are not supported: "
            + "'%DOWNSTREAM_REMOTE_ADDRESS%'");
    assertRejected(withRoute(forwardingRoute(a -> a).addResponseHeadersToAdd(
            option("Host", "h", HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD))),
        r + ".response_headers_to_add[0].header.key: 'host' may not be modified");
    assertRejected(withRoute(forwardingRoute(a -> a).addRequestHeadersToAdd(
            option("x", "v", HeaderAppendAction.OVERWRITE_IF_EXISTS).toBuilder().setAppend(BoolValue.of(true)))),
        r + ".request_headers_to_add[0]: append and append_action are both set");
    assertRejected(withRoute(forwardingRoute(a -> a).addRequestHeadersToAdd(HeaderValueOption.newBuilder()
            .setHeader(HeaderValue.newBuilder().setKey("x").setValue("v").setRawValue(ByteString.copyFromUtf8("w"))))),
        r + ".request_headers_to_add[0].header: only one of value and raw_value may be set");
    assertRejected(withRoute(Route.newBuilder().setMatch(prefix("/"))
            .setDirectResponse(DirectResponseAction.newBuilder().setStatus(99))),
        r + ".direct_response.status: 99 is not in [200, 600)");
    assertRejected(withRoute(Route.newBuilder().setMatch(prefix("/"))
            .setDirectResponse(DirectResponseAction.newBuilder().setStatus(200)
                .setBody(DataSource.newBuilder().setEnvironmentVariable("X")))),
        r + ".direct_response.body.environment_variable: not supported yet");
    assertRejected(withRoute(Route.newBuilder().setMatch(prefix("/"))
            .setDirectResponse(DirectResponseAction.newBuilder().setStatus(200)
                .setBody(DataSource.newBuilder().setInlineString("abc")))).toBuilder()
            .setMaxDirectResponseBodySizeBytes(UInt32Value.of(2)).build(),
        r + ".direct_response.body: 3 bytes exceed max_direct_response_body_size_bytes 2");
    assertRejected(withRoute(Route.newBuilder().setMatch(prefix("/"))
            .setRedirect(RedirectAction.newBuilder().setPathRedirect("relative"))),
        r + ".redirect.path_redirect: must start with '/'");
  }
}

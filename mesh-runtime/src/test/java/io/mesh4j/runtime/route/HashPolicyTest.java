package io.mesh4j.runtime.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.ConnectionProperties;
import io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.Cookie;
import io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.FilterState;
import io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.Header;
import io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.QueryParameter;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.mesh4j.runtime.util.XxHash64;
import io.mesh4j.runtime.view.InMemoryRequest;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import org.junit.jupiter.api.Test;

/** RouteAction hash_policy: decoding (accepted and rejected) and Envoy's HashPolicyImpl semantics. */
class HashPolicyTest {
  private static final String PATH = "virtual_hosts[0].routes[0].route.hash_policy";

  private static RouteAction.HashPolicy header(String name, boolean terminal) {
    return RouteAction.HashPolicy.newBuilder().setHeader(Header.newBuilder().setHeaderName(name))
        .setTerminal(terminal).build();
  }

  private static RouteAction.HashPolicy query(String name) {
    return RouteAction.HashPolicy.newBuilder().setQueryParameter(QueryParameter.newBuilder().setName(name)).build();
  }

  private static RouteAction.HashPolicy cookie(Cookie.Builder cookie) {
    return RouteAction.HashPolicy.newBuilder().setCookie(cookie).build();
  }

  private static io.envoyproxy.envoy.config.route.v3.RouteConfiguration config(RouteAction.HashPolicy... policies) {
    io.envoyproxy.envoy.config.route.v3.Route.Builder route = RouteProtos.route("c", RouteProtos.prefix("/"))
        .toBuilder();
    for (RouteAction.HashPolicy p : policies) {
      route.getRouteBuilder().addHashPolicy(p);
    }
    return RouteProtos.config(RouteProtos.vhost("all", java.util.List.of("*"), route.build()));
  }

  private static HashPolicy policy(RouteAction.HashPolicy... policies) {
    return RouteProtos.decode(config(policies)).select(InMemoryRequest.get("h", "/")).hashPolicy();
  }

  private static void assertRejected(RouteAction.HashPolicy policy, String message) {
    assertThatThrownBy(() -> RouteConfigurationType.decodeRouteConfiguration(config(policy),
        DecodeContext.discarding())).isInstanceOf(ResourceInvalidException.class).hasMessage(message);
  }

  @Test
  void noPolicyMeansNoHash() {
    assertThat(policy().isEmpty()).isTrue();
  }

  @Test
  void headerHashIsXxHash64OfTheValueAndAbsentHeaderGivesNoHash() {
    HashPolicy policy = policy(header("X-User", false));
    RequestHash hash = policy.evaluate(InMemoryRequest.get("h", "/").header("x-user", "alice"), () -> 0, null);
    assertThat(hash.present()).isTrue();
    assertThat(hash.value()).isEqualTo(XxHash64.hash("alice"));
    assertThat(policy.evaluate(InMemoryRequest.get("h", "/"), () -> 0, null).present()).isFalse();
  }

  @Test
  void policiesCombineByRotatingAndXoringAndTerminalStopsOnceThereIsAHash() {
    InMemoryRequest request = InMemoryRequest.get("h", "/items?tenant=acme&x=1").header("x-user", "alice");
    long user = XxHash64.hash("alice");
    long tenant = XxHash64.hash("acme");
    assertThat(policy(header("x-user", false), query("tenant")).evaluate(request, () -> 0, null).value())
        .isEqualTo(Long.rotateLeft(user, 1) ^ tenant);
    assertThat(policy(header("x-user", true), query("tenant")).evaluate(request, () -> 0, null).value()).isEqualTo(user);
    // A terminal policy without a value does not stop: the next one still contributes.
    assertThat(policy(header("x-missing", true), query("tenant")).evaluate(request, () -> 0, null).value())
        .isEqualTo(tenant);
    // Duplicate rules do not cancel each other out (that is what the rotation is for).
    assertThat(policy(header("x-user", false), header("x-user", false)).evaluate(request, () -> 0, null).value())
        .isEqualTo(Long.rotateLeft(user, 1) ^ user);
  }

  @Test
  void queryParameterTakesTheFirstValueUndecoded() {
    HashPolicy policy = policy(query("q"));
    assertThat(policy.evaluate(InMemoryRequest.get("h", "/s?q=a%20b&q=c"), () -> 0, null).value())
        .isEqualTo(XxHash64.hash("a%20b"));
    assertThat(policy.evaluate(InMemoryRequest.get("h", "/s"), () -> 0, null).present()).isFalse();
  }

  @Test
  void cookieIsHashedAndGeneratedWithTtlWhenAbsent() {
    HashPolicy withTtl = policy(cookie(Cookie.newBuilder().setName("sticky").setPath("/api")
        .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(3600))
        .addAttributes(io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.CookieAttribute.newBuilder()
            .setName("SameSite").setValue("Strict"))));
    RequestHash present = withTtl.evaluate(InMemoryRequest.get("h", "/").header("cookie", "a=1; sticky=\"abc\""), () -> 7, null);
    assertThat(present.value()).isEqualTo(XxHash64.hash("abc"));
    assertThat(present.setCookie()).isNull();

    RequestHash generated = withTtl.evaluate(InMemoryRequest.get("h", "/"), () -> 0xabcL, null);
    assertThat(generated.setCookie())
        .isEqualTo("sticky=\"0000000000000abc\"; Max-Age=3600; Path=/api; SameSite=Strict; HttpOnly");
    assertThat(generated.value()).isEqualTo(XxHash64.hash("0000000000000abc"));
    // The generated cookie, sent back, gives the same hash: the user stays on the endpoint.
    assertThat(withTtl.evaluate(InMemoryRequest.get("h", "/").header("cookie", "sticky=\"0000000000000abc\""), () -> 1, null)
        .value()).isEqualTo(generated.value());

    HashPolicy withoutTtl = policy(cookie(Cookie.newBuilder().setName("sticky")));
    RequestHash none = withoutTtl.evaluate(InMemoryRequest.get("h", "/"), () -> 0, null);
    assertThat(none.present()).isFalse();
    assertThat(none.setCookie()).isNull();
    HashPolicy session = policy(cookie(Cookie.newBuilder().setName("s")
        .setTtl(com.google.protobuf.Duration.getDefaultInstance())));
    assertThat(session.evaluate(InMemoryRequest.get("h", "/"), () -> 1, null).setCookie())
        .isEqualTo("s=\"0000000000000001\"; HttpOnly");
  }

  @Test
  void sourceIpHashesThisInstancesAddressSoOneInstanceIsStickyAndFalseGivesNothing() {
    HashPolicy sourceIp = policy(RouteAction.HashPolicy.newBuilder()
        .setConnectionProperties(ConnectionProperties.newBuilder().setSourceIp(true)).build());
    RequestHash fromA = sourceIp.evaluate(InMemoryRequest.get("h", "/a"), () -> 0, "10.0.0.7");
    assertThat(fromA.present()).isTrue();
    assertThat(fromA.value()).isEqualTo(XxHash64.hash("10.0.0.7"));
    assertThat(sourceIp.evaluate(InMemoryRequest.get("h", "/b").header("x-user", "bob"), () -> 0, "10.0.0.7").value())
        .isEqualTo(fromA.value());
    assertThat(sourceIp.evaluate(InMemoryRequest.get("h", "/a"), () -> 0, "10.0.0.8").value()).isNotEqualTo(fromA.value());
    assertThat(sourceIp.evaluate(InMemoryRequest.get("h", "/a"), () -> 0, null).present()).isFalse();
    HashPolicy off = policy(RouteAction.HashPolicy.newBuilder()
        .setConnectionProperties(ConnectionProperties.newBuilder().setSourceIp(false)).build());
    assertThat(off.evaluate(InMemoryRequest.get("h", "/a"), () -> 0, "10.0.0.7").present()).isFalse();
  }

  @Test
  void rejectsWhatAClientCannotHashAndBadValues() {
    assertRejected(RouteAction.HashPolicy.newBuilder().setFilterState(FilterState.newBuilder().setKey("k")).build(),
        PATH + "[0].filter_state: not supported");
    assertRejected(RouteAction.HashPolicy.newBuilder().setHeader(Header.newBuilder().setHeaderName("x")
            .setRegexRewrite(RegexMatchAndSubstitute.getDefaultInstance())).build(),
        PATH + "[0].header.regex_rewrite: not supported yet");
    assertRejected(header("", false), PATH + "[0].header.header_name: must not be empty");
    assertRejected(cookie(Cookie.newBuilder()), PATH + "[0].cookie.name: must not be empty");
    assertRejected(cookie(Cookie.newBuilder().setName("c")
            .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(-1))),
        PATH + "[0].cookie.ttl: must not be negative");
    assertRejected(query(""), PATH + "[0].query_parameter.name: must not be empty");
    assertRejected(RouteAction.HashPolicy.getDefaultInstance(),
        PATH + "[0]: one of header, cookie, query_parameter is required");
  }
}

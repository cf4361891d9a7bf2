package io.mesh4j.runtime.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.mesh4j.runtime.policy.RetryOn;
import io.mesh4j.runtime.policy.RoutePolicy;
import io.mesh4j.runtime.view.RequestView;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RDS: retry policies (route and virtual host), timeouts and the attempt-count header, accepted and rejected. */
class RetryAndTimeoutDecodeTest {
  private static final long MS = 1_000_000;

  private static RouteConfiguration config(VirtualHost.Builder host) {
    return RouteConfiguration.newBuilder().setName("r").addVirtualHosts(host.clone().setName("h").addDomains("h")).build();
  }

  private static Route.Builder route(RouteAction.Builder action) {
    return Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/")).setRoute(action.setCluster("c"));
  }

  private static RoutePolicy policy(VirtualHost.Builder host) throws ResourceInvalidException {
    RouteTable table = RouteConfigurationType.INSTANCE.decode(config(host), new ArrayList<String>()::add);
    return table.select(new Request(), 0).policy();
  }

  private static RoutePolicy policy(RouteAction.Builder action) throws ResourceInvalidException {
    return policy(VirtualHost.newBuilder().addRoutes(route(action)));
  }

  private static RoutePolicy retry(RetryPolicy.Builder retry) throws ResourceInvalidException {
    return policy(RouteAction.newBuilder().setRetryPolicy(retry));
  }

  private static void assertRejected(RetryPolicy.Builder retry, String message) {
    assertThatThrownBy(() -> retry(retry)).isInstanceOf(ResourceInvalidException.class)
        .hasMessage("virtual_hosts[0].routes[0].route.retry_policy." + message);
  }

  private static Duration ms(int millis) {
    return Duration.newBuilder().setSeconds(millis / 1000).setNanos((millis % 1000) * 1_000_000).build();
  }

  private record Request(Map<String, String> headers, String path) implements RequestView {
    Request() {
      this(Map.of(), "/");
    }

    Request(Map<String, String> headers) {
      this(headers, "/");
    }

    @Override
    public String authority() {
      return "h";
    }

    @Override
    public String header(String name) {
      return headers.get(name);
    }
  }

  @Test
  void vector26NumRetriesDefaultsToOne() throws Exception {
    assertThat(retry(RetryPolicy.newBuilder().setRetryOn("5xx")).retry().numRetries()).isEqualTo(1);
    assertThat(retry(RetryPolicy.newBuilder().setNumRetries(UInt32Value.of(0))).retry().numRetries()).isZero();
    assertThat(retry(RetryPolicy.newBuilder().setNumRetries(UInt32Value.of(4))).retry().numRetries()).isEqualTo(4);
  }

  @Test
  void vector27BackOffDefaultsAndValidation() throws Exception {
    assertThat(retry(RetryPolicy.newBuilder()).retry().backoff().maxNanos()).isEqualTo(250 * MS);
    assertThat(retry(RetryPolicy.newBuilder().setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder()
        .setBaseInterval(ms(100)))).retry().backoff().maxNanos()).isEqualTo(1000 * MS);
    assertThat(retry(RetryPolicy.newBuilder().setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder()
        .setBaseInterval(ms(100)).setMaxInterval(ms(100)))).retry().backoff().maxNanos()).isEqualTo(100 * MS);
    assertRejected(RetryPolicy.newBuilder().setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder()
        .setBaseInterval(ms(0))), "retry_back_off.base_interval: must be greater than 0");
    assertRejected(RetryPolicy.newBuilder().setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder()
        .setMaxInterval(ms(10))), "retry_back_off.base_interval: is required");
    assertRejected(RetryPolicy.newBuilder().setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder()
        .setBaseInterval(ms(100)).setMaxInterval(ms(50))),
        "retry_back_off.max_interval: PT0.05S must not be less than base_interval PT0.1S");
    assertRejected(RetryPolicy.newBuilder().setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder()
        .setBaseInterval(Duration.newBuilder().setSeconds(-1))),
        "retry_back_off.base_interval: must be a non-negative duration, got -1s 0ns");
  }

  @Test
  void retryOnTokensAreParsedAndUnknownOnesRejected() throws Exception {
    int bits = retry(RetryPolicy.newBuilder().setRetryOn(
        " 5xx,gateway-error ,reset,connect-failure,retriable-4xx,refused-stream,retriable-status-codes,"
            + "retriable-headers,reset-before-request,envoy-ratelimited,http3-post-connect-failure,"
            + "cancelled,deadline-exceeded,internal,resource-exhausted,unavailable")).retry().retryOn();
    assertThat(bits).isEqualTo((RetryOn.GRPC_UNAVAILABLE << 1) - 1);
    assertThat(retry(RetryPolicy.newBuilder()).retry().retryOn()).isZero();
    assertRejected(RetryPolicy.newBuilder().setRetryOn("5xx,4xx"), "retry_on: unknown retry condition '4xx'");
  }

  @Test
  void timeoutsAndStatusCodesAndHeaders() throws Exception {
    RoutePolicy p = retry(RetryPolicy.newBuilder().setRetryOn("retriable-status-codes,retriable-headers")
        .setPerTryTimeout(ms(250)).setPerTryIdleTimeout(ms(100))
        .addRetriableStatusCodes(503).addRetriableStatusCodes(418)
        .addRetriableHeaders(HeaderMatcher.newBuilder().setName("x-retry").setPresentMatch(true))
        .addRetriableRequestHeaders(HeaderMatcher.newBuilder().setName(":method").setStringMatch(
            io.envoyproxy.envoy.type.matcher.v3.StringMatcher.newBuilder().setExact("GET"))));
    assertThat(p.retry().perTryTimeoutNanos()).isEqualTo(250 * MS);
    assertThat(p.retry().perTryIdleTimeoutNanos()).isEqualTo(100 * MS);
    assertThat(p.retry().retriableStatusCodes()).containsExactly(418, 503);
    assertThat(p.retry().retriableHeaders()).hasSize(1);
    assertThat(p.retry().requestIsRetriable(new Request(Map.of(":method", "GET")))).isTrue();
    assertThat(p.retry().requestIsRetriable(new Request(Map.of(":method", "POST")))).isFalse();
    assertRejected(RetryPolicy.newBuilder().addRetriableStatusCodes(600),
        "retriable_status_codes[0]: 600 is not an HTTP status");
    assertRejected(RetryPolicy.newBuilder().addRetriableHeaders(HeaderMatcher.newBuilder()),
        "retriable_headers[0].name: must not be empty");
  }

  @Test
  void previousHostsIsTheOnlyHostPredicate() throws Exception {
    RetryPolicy.RetryHostPredicate byName =
        RetryPolicy.RetryHostPredicate.newBuilder().setName("envoy.retry_host_predicates.previous_hosts").build();
    RetryPolicy.RetryHostPredicate typed = RetryPolicy.RetryHostPredicate.newBuilder().setName("x")
        .setTypedConfig(Any.pack(PreviousHostsPredicate.getDefaultInstance())).build();
    RoutePolicy p = retry(RetryPolicy.newBuilder().addRetryHostPredicate(byName).setHostSelectionRetryMaxAttempts(5));
    assertThat(p.retry().avoidPreviousHosts()).isTrue();
    assertThat(p.retry().hostSelectionMaxAttempts()).isEqualTo(5);
    assertThat(retry(RetryPolicy.newBuilder().addRetryHostPredicate(typed)).retry().hostSelectionMaxAttempts())
        .isEqualTo(1);
    assertThat(retry(RetryPolicy.newBuilder()).retry().avoidPreviousHosts()).isFalse();
    assertRejected(RetryPolicy.newBuilder().addRetryHostPredicate(
            RetryPolicy.RetryHostPredicate.newBuilder().setName("envoy.retry_host_predicates.omit_canary_hosts")),
        "retry_host_predicate[0].name: host predicate 'envoy.retry_host_predicates.omit_canary_hosts' is not supported"
            + " (only envoy.retry_host_predicates.previous_hosts)");
    assertRejected(RetryPolicy.newBuilder().addRetryHostPredicate(RetryPolicy.RetryHostPredicate.newBuilder()
            .setName("envoy.retry_host_predicates.previous_hosts").setTypedConfig(Any.pack(Duration.getDefaultInstance()))),
        "retry_host_predicate[0].typed_config: host predicate type.googleapis.com/google.protobuf.Duration is not"
            + " supported (only previous_hosts)");
    assertRejected(RetryPolicy.newBuilder().setHostSelectionRetryMaxAttempts(-1),
        "host_selection_retry_max_attempts: -1 is out of range");
  }

  @Test
  void unsupportedRetryFieldsAreRejected() {
    assertRejected(RetryPolicy.newBuilder().setRetryPriority(RetryPolicy.RetryPriority.newBuilder().setName("p")),
        "retry_priority: not supported yet");
    assertRejected(RetryPolicy.newBuilder().setRateLimitedRetryBackOff(
            RetryPolicy.RateLimitedRetryBackOff.newBuilder()),
        "rate_limited_retry_back_off: not supported yet");
    assertRejected(RetryPolicy.newBuilder().addRetryOptionsPredicates(TypedExtensionConfig.newBuilder().setName("o")),
        "retry_options_predicates: not supported yet");
  }

  @Test
  void theRoutePolicyWinsOverTheVirtualHostsWhichAppliesOtherwise() throws Exception {
    VirtualHost.Builder host = VirtualHost.newBuilder()
        .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("reset").setNumRetries(UInt32Value.of(3)))
        .addRoutes(route(RouteAction.newBuilder().setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("5xx"))
            .build().toBuilder()).setMatch(RouteMatch.newBuilder().setPath("/own")))
        .addRoutes(route(RouteAction.newBuilder()));
    RouteTable table = RouteConfigurationType.INSTANCE.decode(config(host), new ArrayList<String>()::add);
    RoutePolicy own = table.select(new Request(Map.of(), "/own"), 0).policy();
    assertThat(own.retry().retryOn()).isEqualTo(RetryOn.FIVE_XX);
    assertThat(own.retry().numRetries()).isEqualTo(1); // not merged with the virtual host's 3
    assertThat(policy(host).retry().retryOn()).isEqualTo(RetryOn.RESET);
    assertThat(policy(host).retry().numRetries()).isEqualTo(3);
    assertThatThrownBy(() -> policy(VirtualHost.newBuilder().setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("x"))
        .addRoutes(route(RouteAction.newBuilder()))))
        .hasMessage("virtual_hosts[0].retry_policy.retry_on: unknown retry condition 'x'");
  }

  @Test
  void includeRequestAttemptCountComesFromTheVirtualHost() throws Exception {
    assertThat(policy(VirtualHost.newBuilder().setIncludeRequestAttemptCount(true)
        .addRoutes(route(RouteAction.newBuilder()))).includeAttemptCount()).isTrue();
    assertThat(policy(RouteAction.newBuilder()).includeAttemptCount()).isFalse();
  }

  @Test
  void routeTimeoutsIdleTimeoutAndMaxStreamDuration() throws Exception {
    RoutePolicy defaults = policy(RouteAction.newBuilder());
    assertThat(defaults.timeoutNanos()).isEqualTo(15_000 * MS);
    assertThat(defaults.idleTimeoutNanos()).isZero();
    assertThat(defaults.maxStreamDurationNanos()).isEqualTo(-1);
    assertThat(defaults.callTimeoutNanos(null)).isEqualTo(15_000 * MS);
    assertThat(defaults.callTimeoutNanos(java.time.Duration.ofSeconds(3))).isEqualTo(3_000 * MS);

    RoutePolicy set = policy(RouteAction.newBuilder().setTimeout(ms(0)).setIdleTimeout(ms(700))
        .setMaxStreamDuration(RouteAction.MaxStreamDuration.newBuilder().setMaxStreamDuration(ms(0))
            .setGrpcTimeoutHeaderMax(ms(5000))));
    assertThat(set.timeoutNanos()).isZero();
    assertThat(set.idleTimeoutNanos()).isEqualTo(700 * MS);
    assertThat(set.maxStreamDurationNanos()).isZero();
    // 0s route timeout and 0s route max_stream_duration: the listener's does not apply either.
    assertThat(set.callTimeoutNanos(java.time.Duration.ofSeconds(3))).isZero();

    RoutePolicy stream = policy(RouteAction.newBuilder().setTimeout(ms(0))
        .setMaxStreamDuration(RouteAction.MaxStreamDuration.newBuilder().setMaxStreamDuration(ms(1500))));
    assertThat(stream.callTimeoutNanos(java.time.Duration.ofSeconds(3))).isEqualTo(1500 * MS);

    assertThatThrownBy(() -> policy(RouteAction.newBuilder().setMaxStreamDuration(RouteAction.MaxStreamDuration
        .newBuilder().setMaxStreamDuration(Duration.newBuilder().setNanos(-5)))))
        .hasMessage("virtual_hosts[0].routes[0].route.max_stream_duration.max_stream_duration: "
            + "must be a non-negative duration, got 0s -5ns");
  }

  @Test
  void grpcTimeoutHeaderFieldsAreReadAndCapTheCallsOwnTimeout() throws Exception {
    List<String> notes = new ArrayList<>();
    RouteConfigurationType.INSTANCE.decode(config(VirtualHost.newBuilder().addRoutes(route(RouteAction.newBuilder()
        .setMaxStreamDuration(RouteAction.MaxStreamDuration.newBuilder().setGrpcTimeoutHeaderMax(ms(1))
            .setGrpcTimeoutHeaderOffset(ms(1)))))), notes::add);
    assertThat(notes).isEmpty();

    RoutePolicy capped = policy(RouteAction.newBuilder().setTimeout(ms(0))
        .setMaxStreamDuration(RouteAction.MaxStreamDuration.newBuilder().setMaxStreamDuration(ms(9000))
            .setGrpcTimeoutHeaderMax(ms(2000)).setGrpcTimeoutHeaderOffset(ms(100))));
    assertThat(capped.grpcTimeoutHeaderMaxNanos()).isEqualTo(2000 * MS);
    assertThat(capped.grpcTimeoutHeaderOffsetNanos()).isEqualTo(100 * MS);
    // The call's own timeout replaces max_stream_duration, capped by the max, minus the offset.
    assertThat(capped.callTimeoutNanos(null, 5000 * MS)).isEqualTo(1900 * MS);
    assertThat(capped.callTimeoutNanos(null, 1000 * MS)).isEqualTo(900 * MS);
    // An offset that leaves nothing times the call out at once.
    assertThat(capped.callTimeoutNanos(null, 50 * MS)).isEqualTo(1);
    // Without a deadline on the call, max_stream_duration applies.
    assertThat(capped.callTimeoutNanos(null, -1)).isEqualTo(9000 * MS);

    RoutePolicy uncapped = policy(RouteAction.newBuilder().setTimeout(ms(3000))
        .setMaxStreamDuration(RouteAction.MaxStreamDuration.newBuilder().setGrpcTimeoutHeaderMax(ms(0))));
    assertThat(uncapped.callTimeoutNanos(null, 60_000 * MS)).isEqualTo(3000 * MS); // the route timeout still applies
    assertThat(uncapped.callTimeoutNanos(null, 1000 * MS)).isEqualTo(1000 * MS);

    RoutePolicy unset = policy(RouteAction.newBuilder().setTimeout(ms(0)));
    // Without grpc_timeout_header_max the call's timeout is the caller's business, not the mesh's.
    assertThat(unset.callTimeoutNanos(java.time.Duration.ofSeconds(4), 1000 * MS)).isEqualTo(4000 * MS);

    assertThatThrownBy(() -> policy(RouteAction.newBuilder().setMaxStreamDuration(RouteAction.MaxStreamDuration
        .newBuilder().setGrpcTimeoutHeaderOffset(Duration.newBuilder().setSeconds(-1)))))
        .hasMessage("virtual_hosts[0].routes[0].route.max_stream_duration.grpc_timeout_header_offset: "
            + "must be a non-negative duration, got -1s 0ns");
    assertThatThrownBy(() -> policy(RouteAction.newBuilder().setMaxStreamDuration(RouteAction.MaxStreamDuration
        .newBuilder().setGrpcTimeoutHeaderMax(Duration.newBuilder().setNanos(-1)))))
        .hasMessage("virtual_hosts[0].routes[0].route.max_stream_duration.grpc_timeout_header_max: "
            + "must be a non-negative duration, got 0s -1ns");
  }
}

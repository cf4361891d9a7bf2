package io.mesh4j.runtime.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.StringValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultRateLimit;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.mesh4j.runtime.filter.fault.FaultConfig;
import io.mesh4j.runtime.route.RouteConfigurationDecoder;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.runtime.xds.NoteCollector;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import org.junit.jupiter.api.Test;

/** The fault filter in the HCM chain and typed_per_filter_config overrides: accepted forms and every rejection. */
class HttpFilterDecodeTest {
  private final NoteCollector notes = new NoteCollector();

  private static HttpConnectionManager withFault(HTTPFault fault) {
    return XdsResources.rdsHcm("routes").toBuilder()
        .addHttpFilters(0, HttpFilter.newBuilder().setName("fault").setTypedConfig(Any.pack(fault)))
        .build();
  }

  private ListenerResource decode(HttpConnectionManager hcm) throws ResourceInvalidException {
    return ListenerType.INSTANCE.decode(XdsResources.apiListener("l:80", hcm), notes);
  }

  private void assertRejected(HTTPFault fault, String message) {
    assertThatThrownBy(() -> decode(withFault(fault)))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage("api_listener.api_listener.http_filters[0].typed_config." + message);
  }

  private static FractionalPercent percent(int n) {
    return FractionalPercent.newBuilder().setNumerator(n).build();
  }

  @Test
  void decodesTheFaultFilterIntoTheChain() throws Exception {
    HTTPFault fault = HTTPFault.newBuilder()
        .setDelay(FaultDelay.newBuilder().setFixedDelay(Duration.newBuilder().setNanos(5_000_000))
            .setPercentage(percent(10)))
        .setAbort(FaultAbort.newBuilder().setHttpStatus(503).setPercentage(percent(20)))
        .setMaxActiveFaults(UInt32Value.of(3))
        .addDownstreamNodes("frontend")
        .setUpstreamCluster("c")
        .setDelayPercentRuntime("fault.delay")
        .build();
    ListenerResource listener = decode(withFault(fault));
    assertThat(listener.httpFilters()).hasSize(1);
    assertThat(listener.httpFilters().get(0).name()).isEqualTo("fault");
    FaultConfig config = (FaultConfig) listener.httpFilters().get(0).config();
    assertThat(config.delay().fixedDelayNanos()).isEqualTo(5_000_000L);
    assertThat(config.delay().percentage().numerator()).isEqualTo(10);
    assertThat(config.abort().httpStatus()).isEqualTo(503);
    assertThat(config.maxActiveFaults()).isEqualTo(3);
    assertThat(config.downstreamNodes()).containsExactly("frontend");
    assertThat(config.upstreamCluster()).isEqualTo("c");
    assertThat(notes.notes).anyMatch(n -> n.contains("delay_percent_runtime"));
  }

  @Test
  void rejectsWhatItCannotHonour() {
    assertRejected(HTTPFault.newBuilder().setResponseRateLimit(FaultRateLimit.getDefaultInstance()).build(),
        "response_rate_limit: not supported yet");
    assertRejected(HTTPFault.newBuilder().setAbort(FaultAbort.newBuilder().setHttpStatus(100)).build(),
        "abort.http_status: 100 is not in [200, 600)");
    assertRejected(HTTPFault.newBuilder().setAbort(FaultAbort.newBuilder().setPercentage(percent(1))).build(),
        "abort: one of http_status, grpc_status, header_abort is required");
    assertRejected(HTTPFault.newBuilder().setDelay(FaultDelay.newBuilder().setPercentage(percent(1))).build(),
        "delay: one of fixed_delay, header_delay is required");
    assertRejected(HTTPFault.newBuilder().setDelay(FaultDelay.newBuilder().setFixedDelay(Duration.getDefaultInstance()))
            .build(),
        "delay.fixed_delay: must be a positive duration, got 0s 0ns");
    assertRejected(HTTPFault.newBuilder().setAbort(FaultAbort.newBuilder().setHttpStatus(503)
            .setPercentage(FractionalPercent.newBuilder().setDenominatorValue(7))).build(),
        "abort.percentage.denominator: unknown denominator 7");
    assertRejected(HTTPFault.newBuilder().addHeaders(HeaderMatcher.newBuilder().setName("x")
            .setSafeRegexMatch(RegexMatcher.newBuilder().setRegex("("))).build(),
        "headers[0].safe_regex_match.regex: invalid regex '(': missing closing )");
  }

  @Test
  void rejectsDisabledAndDuplicateFiltersAndKeepsOptionalUnknownOnesOut() throws Exception {
    HttpFilter fault = HttpFilter.newBuilder().setName("fault").setTypedConfig(Any.pack(HTTPFault.getDefaultInstance()))
        .build();
    HttpConnectionManager disabled = XdsResources.rdsHcm("routes").toBuilder()
        .addHttpFilters(0, fault.toBuilder().setDisabled(true)).build();
    assertThatThrownBy(() -> decode(disabled))
        .hasMessage("api_listener.api_listener.http_filters[0].disabled: not supported");
    HttpConnectionManager twice = XdsResources.rdsHcm("routes").toBuilder()
        .addHttpFilters(0, fault).addHttpFilters(0, fault).build();
    assertThatThrownBy(() -> decode(twice))
        .hasMessage("api_listener.api_listener.http_filters[1].name: duplicate filter name 'fault'");
    HttpConnectionManager optional = XdsResources.rdsHcm("routes").toBuilder()
        .addHttpFilters(0, HttpFilter.newBuilder().setName("rbac").setIsOptional(true)
            .setTypedConfig(Any.pack(StringValue.of("x"))))
        .build();
    assertThat(decode(optional).httpFilters()).isEmpty();
  }

  private void decodeRoutes(Any override) throws ResourceInvalidException {
    RouteConfigurationDecoder.decode(RouteConfiguration.newBuilder().setName("r")
        .addVirtualHosts(VirtualHost.newBuilder().setName("v").addDomains("*").putTypedPerFilterConfig("f", override))
        .build(), notes);
  }

  @Test
  void typedPerFilterConfigGoesThroughTheRegistry() throws Exception {
    decodeRoutes(Any.pack(HTTPFault.getDefaultInstance()));
    decodeRoutes(Any.pack(FilterConfig.newBuilder().setDisabled(true).build()));
    decodeRoutes(Any.pack(FilterConfig.newBuilder().setIsOptional(true).setConfig(Any.pack(StringValue.of("x")))
        .build()));
    assertThat(notes.notes).anyMatch(n -> n.contains("optional override"));
    assertThatThrownBy(() -> decodeRoutes(Any.pack(StringValue.of("x"))))
        .hasMessage("virtual_hosts[0].typed_per_filter_config['f']: filter type "
            + "type.googleapis.com/google.protobuf.StringValue is not supported");
    assertThatThrownBy(() -> decodeRoutes(Any.pack(FilterConfig.newBuilder()
            .setConfig(Any.pack(StringValue.of("x"))).build())))
        .hasMessage("virtual_hosts[0].typed_per_filter_config['f'].config: filter type "
            + "type.googleapis.com/google.protobuf.StringValue is not supported");
    assertThatThrownBy(() -> decodeRoutes(Any.pack(HTTPFault.newBuilder()
            .setAbort(FaultAbort.newBuilder().setHttpStatus(700)).build())))
        .hasMessage("virtual_hosts[0].typed_per_filter_config['f'].abort.http_status: 700 is not in [200, 600)");
  }
}

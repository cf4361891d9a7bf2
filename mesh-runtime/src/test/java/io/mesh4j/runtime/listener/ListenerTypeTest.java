package io.mesh4j.runtime.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.StringValue;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SelfConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.runtime.xds.NoteCollector;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ListenerTypeTest {
  private final NoteCollector notes = new NoteCollector();

  private ListenerResource decode(Listener listener) throws ResourceInvalidException {
    return ListenerType.INSTANCE.decode(listener, notes);
  }

  private ListenerResource decode(HttpConnectionManager hcm) throws ResourceInvalidException {
    return decode(XdsResources.apiListener("l:80", hcm));
  }

  private void assertRejected(HttpConnectionManager hcm, String message) {
    assertThatThrownBy(() -> decode(hcm))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage("api_listener.api_listener." + message);
  }

  private static HttpConnectionManager.Builder rds() {
    return XdsResources.rdsHcm("routes").toBuilder();
  }

  private static HttpFilter filter(String name, com.google.protobuf.Message config, boolean optional) {
    return HttpFilter.newBuilder().setName(name).setTypedConfig(Any.pack(config)).setIsOptional(optional).build();
  }

  @Test
  void decodesAnApiListenerWithRds() throws Exception {
    ListenerResource l = decode(XdsResources.apiListener("catalog:8080", "catalog-routes"));
    assertThat(l.name()).isEqualTo("catalog:8080");
    assertThat(l.rdsRouteConfigName()).isEqualTo("catalog-routes");
    assertThat(l.inlineRouteTable()).isNull();
    assertThat(l.maxStreamDuration()).isNull();
    assertThat(notes.notes).isEmpty();
    assertThat(ListenerType.INSTANCE.name(XdsResources.apiListener("x", "r"))).isEqualTo("x");
    assertThat(ListenerType.INSTANCE.isFullStateOfTheWorld()).isTrue();
  }

  @Test
  void acceptsSelfConfigSourceAndRecordsMaxStreamDuration() throws Exception {
    HttpConnectionManager hcm = rds()
        .setRds(Rds.newBuilder().setRouteConfigName("r")
            .setConfigSource(ConfigSource.newBuilder().setSelf(SelfConfigSource.getDefaultInstance())))
        .setCommonHttpProtocolOptions(HttpProtocolOptions.newBuilder()
            .setMaxStreamDuration(com.google.protobuf.Duration.newBuilder().setSeconds(3))
            .setIdleTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(60)))
        .setStatPrefix("outbound")
        .build();
    ListenerResource l = decode(hcm);
    assertThat(l.maxStreamDuration()).isEqualTo(Duration.ofSeconds(3));
    assertThat(notes.notes).containsExactlyInAnyOrder(
        "LDS HttpConnectionManager: stat_prefix",
        "LDS HttpConnectionManager: common_http_protocol_options.idle_timeout");
  }

  @Test
  void decodesAListenerWithoutApiListenerAsAServerListener() {
    Listener server = Listener.newBuilder().setName("0.0.0.0:8080")
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("0.0.0.0")))
        .addFilterChains(FilterChain.getDefaultInstance())
        .build();
    assertThatThrownBy(() -> decode(server))
        .hasMessage("address.socket_address.port_value: missing (named ports are not supported)");
    assertThatThrownBy(() -> decode(Listener.newBuilder().setName("x").build()))
        .hasMessage("api_listener: missing, and address: missing (neither a client nor a server listener)");
  }

  @Test
  void rejectsAnApiListenerThatIsNotAnHcm() {
    Listener l = Listener.newBuilder().setName("l")
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(StringValue.of("x")))).build();
    assertThatThrownBy(() -> decode(l)).hasMessageStartingWith(
        "api_listener.api_listener: type type.googleapis.com/google.protobuf.StringValue is not supported");
  }

  @Test
  void rejectsRdsFromElsewhereThanAds() {
    assertRejected(rds().setRds(Rds.newBuilder().setRouteConfigName("r")
            .setConfigSource(ConfigSource.newBuilder().setApiConfigSource(ApiConfigSource.getDefaultInstance())))
            .build(),
        "rds.config_source.api_config_source: not supported (only ads or self)");
    assertRejected(rds().setRds(Rds.newBuilder().setRouteConfigName("r")).build(), "rds.config_source: missing");
    assertRejected(rds().setRds(Rds.newBuilder().setConfigSource(XdsResources.ads())).build(),
        "rds.route_config_name: missing");
  }

  @Test
  void rejectsScopedRoutesAndAMissingRouteSpecifier() {
    assertRejected(rds().setScopedRoutes(ScopedRoutes.getDefaultInstance()).build(), "scoped_routes: not supported");
    assertRejected(rds().clearRds().build(), "route_specifier: missing (rds or route_config)");
  }

  @Test
  void inlineRouteConfigGoesToTheRdsDecoderWithItsPath() {
    HttpConnectionManager hcm = rds().setRouteConfig(XdsResources.routeConfig("inline", "a", "c")).build();
    // With the placeholder RDS decoder every inline config is rejected; the real one decodes it. Either way, an
    // error carries the route_config prefix.
    try {
      assertThat(decode(hcm).inlineRouteTable()).isNotNull();
    } catch (ResourceInvalidException e) {
      assertThat(e.getMessage()).startsWith("api_listener.api_listener.route_config.");
    }
  }

  @Test
  void theRouterMustBeLast() {
    assertRejected(rds().clearHttpFilters().build(), "http_filters: missing (the router filter must be last)");
    assertRejected(rds().addHttpFilters(filter("late", StringValue.of("x"), true)).build(),
        "http_filters[0]: the router filter must be the last filter");
    assertRejected(rds().clearHttpFilters().addHttpFilters(filter("opt", StringValue.of("x"), true)).build(),
        "http_filters: the last filter must be the router (" + ListenerType.ROUTER_TYPE_URL + ")");
  }

  @Test
  void otherFiltersAreRejectedUnlessOptional() throws Exception {
    assertRejected(rds().addHttpFilters(0, filter("envoy.filters.http.lua", StringValue.of("x"), false)).build(),
        "http_filters[0]: filter 'envoy.filters.http.lua' (type.googleapis.com/google.protobuf.StringValue) is not"
            + " supported");
    decode(rds().addHttpFilters(0, filter("envoy.filters.http.lua", StringValue.of("x"), true)).build());
    assertThat(notes.notes).singleElement().asString().contains("optional filter 'envoy.filters.http.lua'");
  }

  @Test
  void rejectsRouterUpstreamFiltersButNotesItsObservabilityFields() throws Exception {
    HttpFilter router = filter("router", Router.newBuilder()
        .addUpstreamHttpFilters(HttpFilter.newBuilder().setName("u")).build(), false);
    assertRejected(rds().setHttpFilters(0, router).build(),
        "http_filters[0].typed_config.upstream_http_filters: not supported");
    HttpFilter quiet = filter("router", Router.newBuilder().setDynamicStats(BoolValue.of(false)).build(), false);
    decode(rds().setHttpFilters(0, quiet).build());
    assertThat(notes.notes).containsExactly("LDS router filter: http_filters[0].typed_config.dynamic_stats");
  }

  @Test
  void rejectsHcmFieldsThatChangeTheRequestBeforeRouting() {
    assertRejected(rds().setNormalizePath(BoolValue.of(true)).build(), "normalize_path: not supported");
    assertRejected(rds().setMergeSlashes(true).build(), "merge_slashes: not supported");
    assertRejected(rds().setStripMatchingHostPort(true).build(), "strip_matching_host_port: not supported");
    assertRejected(rds().setVia("mesh").build(), "via: not supported");
    assertRejected(rds().setCommonHttpProtocolOptions(HttpProtocolOptions.newBuilder()
            .setMaxStreamDuration(com.google.protobuf.Duration.newBuilder().setSeconds(-1))).build(),
        "common_http_protocol_options.max_stream_duration: invalid duration -1s 0ns");
  }
}

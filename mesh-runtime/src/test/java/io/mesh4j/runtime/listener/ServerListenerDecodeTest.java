package io.mesh4j.runtime.listener;

import static io.mesh4j.runtime.testing.ServerListeners.allowAll;
import static io.mesh4j.runtime.testing.ServerListeners.chain;
import static io.mesh4j.runtime.testing.ServerListeners.cidr;
import static io.mesh4j.runtime.testing.ServerListeners.inlineHcm;
import static io.mesh4j.runtime.testing.ServerListeners.match;
import static io.mesh4j.runtime.testing.ServerListeners.mtls;
import static io.mesh4j.runtime.testing.ServerListeners.name;
import static io.mesh4j.runtime.testing.ServerListeners.plainChain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.mesh4j.runtime.filter.FilterRegistry;
import io.mesh4j.runtime.filter.builtin.BuiltInFilters;
import io.mesh4j.runtime.model.CertificateSourceRef;
import io.mesh4j.runtime.model.DownstreamTlsConfig;
import io.mesh4j.runtime.model.SanMatch;
import io.mesh4j.runtime.testing.RequiredHeaderFilter;
import io.mesh4j.runtime.testing.ServerListeners;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Server listeners as istiod sends them, and every refusal naming its field. */
class ServerListenerDecodeTest {
  private static final String NAME = name("0.0.0.0:8080");
  private static final String NS = "spiffe://cluster.local/ns/shop/sa/";

  private final List<String> notes = new ArrayList<>();
  private final ListenerType type = ListenerType.forMesh(Set.of("default"),
      FilterRegistry.of(List.of(new RequiredHeaderFilter(), new io.mesh4j.runtime.filter.fault.FaultFilterProvider())),
      ServerListeners.ISTIO_TEMPLATE);

  private ServerListenerResource decode(Listener listener) throws ResourceInvalidException {
    ListenerResource decoded = type.decode(listener, notes::add);
    assertThat(decoded.isServer()).isTrue();
    return decoded.server();
  }

  private void assertRejected(Listener listener, String message) {
    assertThatThrownBy(() -> type.decode(listener, notes::add))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }

  private static Listener.Builder inbound() {
    return ServerListeners.listener(NAME, "0.0.0.0", 8080);
  }

  @Test
  void decodesIstiodsPermissiveInboundListener() throws ResourceInvalidException {
    ServerListenerResource listener = decode(inbound()
        .addListenerFilters(ServerListeners.tlsInspector())
        .addListenerFilters(ListenerFilter.newBuilder().setName("envoy.filters.listener.http_inspector"))
        .addListenerFilters(ListenerFilter.newBuilder().setName("envoy.filters.listener.original_dst"))
        .addFilterChains(chain("mtls", match().setTransportProtocol("tls").build(),
            mtls("default", true, NS + "frontend"), inlineHcm(allowAll("inbound-mtls"))))
        .addFilterChains(plainChain("plaintext", match().setTransportProtocol("raw_buffer").build()))
        .build());

    assertThat(listener.name()).isEqualTo(NAME);
    assertThat(listener.address()).isEqualTo("0.0.0.0");
    assertThat(listener.port()).isEqualTo(8080);
    assertThat(listener.defaultFilterChain()).isNull();
    assertThat(listener.filterChains()).extracting(ServerFilterChain::name).containsExactly("mtls", "plaintext");
    ServerFilterChain mtls = listener.filterChains().get(0);
    assertThat(mtls.match().transportProtocol()).isEqualTo("tls");
    DownstreamTlsConfig tls = mtls.tls();
    assertThat(tls.requireClientCertificate()).isTrue();
    assertThat(tls.identity()).isEqualTo(new CertificateSourceRef.ProviderInstance("default", "default"));
    assertThat(tls.trust()).isEqualTo(new CertificateSourceRef.ProviderInstance("default", "ROOTCA"));
    assertThat(tls.sanMatches()).containsExactly(
        new SanMatch(SanMatch.SanType.URI, SanMatch.Kind.EXACT, NS + "frontend", false));
    assertThat(tls.minVersion()).isEqualTo("TLSv1.2");
    assertThat(tls.maxVersion()).as("Envoy's server default").isEqualTo("TLSv1.3");
    assertThat(mtls.hcm().inlineRouteTable().name()).isEqualTo("inbound-mtls");
    assertThat(listener.filterChains().get(1).tls()).isNull();
  }

  @Test
  void rdsRoutesAndServerFiltersInOrder() throws ResourceInvalidException {
    HttpConnectionManager hcm = XdsResources.rdsHcm("inbound-routes").toBuilder()
        .addHttpFilters(0, RequiredHeaderFilter.filter("first", "x-a"))
        .addHttpFilters(1, RequiredHeaderFilter.filter("second", "x-b"))
        .build();
    ServerListenerResource listener = decode(inbound()
        .setDefaultFilterChain(chain("", null, null, hcm)).build());

    assertThat(listener.filterChains()).isEmpty();
    HttpConnectionManagerConfig decoded = listener.defaultFilterChain().hcm();
    assertThat(decoded.rdsRouteConfigName()).isEqualTo("inbound-routes");
    assertThat(decoded.httpFilters()).extracting(f -> f.name()).containsExactly("first", "second");
    assertThat(decoded.httpFilters().get(1).config()).isEqualTo(new RequiredHeaderFilter.Config("x-b"));
    assertThat(listener.rdsRouteConfigNames()).containsExactly("inbound-routes");
  }

  @Test
  void aFilterThatDoesNotActOnServersIsRefusedUnlessOptional() throws ResourceInvalidException {
    HttpFilter fault = HttpFilter.newBuilder().setName("fault").setTypedConfig(Any.pack(HTTPFault.getDefaultInstance()))
        .build();
    assertRejected(inbound().addFilterChains(chain("c", null, null,
            inlineHcm(allowAll("r")).toBuilder().addHttpFilters(0, fault).build())).build(),
        "filter_chains[0].filters[0].typed_config.http_filters[0]: filter 'fault' "
            + "(type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault) does not act on a server listener");
    decode(inbound().addFilterChains(chain("c", null, null, inlineHcm(allowAll("r")).toBuilder()
        .addHttpFilters(0, fault.toBuilder().setIsOptional(true)).build())).build());
    assertThat(notes).anyMatch(n -> n.contains("optional filter 'fault'") && n.contains("does not act on a server"));

    HttpConnectionManager clientHcm = XdsResources.rdsHcm("r").toBuilder()
        .addHttpFilters(0, RequiredHeaderFilter.filter("server-only", "x-a")).build();
    assertThatThrownBy(() -> type.decode(XdsResources.apiListener("catalog:80", clientHcm), notes::add))
        .hasMessageContaining("http_filters[0]: filter 'server-only' (" + RequiredHeaderFilter.TYPE_URL
            + ") does not act on a client listener");
  }

  @Test
  void nonForwardingRoutesDecode() throws ResourceInvalidException {
    ServerListenerResource listener = decode(inbound().addFilterChains(plainChain("c", null)).build());
    assertThat(listener.filterChains().get(0).hcm().inlineRouteTable().virtualHostName("anything:8080"))
        .isEqualTo("inbound|hello");
  }

  @Test
  void twoChainsWithTheSameMatchAreRefused() {
    assertRejected(inbound()
            .addFilterChains(plainChain("a", null))
            .addFilterChains(plainChain("b", null)).build(),
        "filter_chains[1].filter_chain_match: overlaps filter_chains[0] (both would take the same "
            + "connections)");
    assertRejected(inbound()
            .addFilterChains(plainChain("a", match().addServerNames("a.example.com").addServerNames("b.example.com")
                .build()))
            .addFilterChains(plainChain("b", match().addServerNames("B.example.com").build())).build(),
        "filter_chains[1].filter_chain_match: overlaps filter_chains[0] (both would take the same "
            + "connections)");
    assertRejected(inbound()
            .addFilterChains(plainChain("a", match().addPrefixRanges(cidr("10.1.2.3", 16)).build()))
            .addFilterChains(plainChain("b", match().addPrefixRanges(cidr("10.1.0.0", 16)).build())).build(),
        "filter_chains[1].filter_chain_match: overlaps filter_chains[0] (both would take the same "
            + "connections)");
  }

  @Test
  void chainsThatDifferInAnyCriterionAreFine() throws ResourceInvalidException {
    ServerListenerResource listener = decode(inbound()
        .addFilterChains(plainChain("tls", match().setTransportProtocol("tls").build()))
        .addFilterChains(plainChain("raw", match().setTransportProtocol("raw_buffer").build()))
        .addFilterChains(plainChain("port", match().setDestinationPort(UInt32Value.of(8080)).build()))
        .addFilterChains(plainChain("src", match().addSourcePorts(1234).build()))
        .build());
    assertThat(listener.filterChains()).hasSize(4);
  }

  @Test
  void theListenerMustListenWhereItsNameAsks() throws ResourceInvalidException {
    decode(ServerListeners.listener(NAME, "::", 8080).addFilterChains(plainChain("c", null)).build());
    decode(ServerListeners.listener(name("10.1.2.3:8080"), "10.1.2.3", 8080).addFilterChains(plainChain("c", null))
        .build());
    decode(ServerListeners.listener(name("10.1.2.3:8080"), "0.0.0.0", 8080).addFilterChains(plainChain("c", null))
        .build());
    decode(ServerListeners.listener(name("[fe80::1]:8080"), "fe80::1", 8080).addFilterChains(plainChain("c", null))
        .build());
    decode(ServerListeners.listener("not-templated", "10.9.9.9", 1).addFilterChains(plainChain("c", null)).build());

    assertRejected(ServerListeners.listener(NAME, "0.0.0.0", 9090).addFilterChains(plainChain("c", null)).build(),
        "address.socket_address.port_value: 9090 is not the port 8080 the listener was asked for");
    assertRejected(ServerListeners.listener(NAME, "10.1.2.3", 8080).addFilterChains(plainChain("c", null)).build(),
        "address.socket_address.address: 10.1.2.3 is neither a wildcard address nor the address 0.0.0.0 the "
            + "listener was asked for");
    assertRejected(ServerListeners.listener(name("10.1.2.3:8080"), "10.1.2.4", 8080)
            .addFilterChains(plainChain("c", null)).build(),
        "address.socket_address.address: 10.1.2.4 is neither a wildcard address nor the address 10.1.2.3 the "
            + "listener was asked for");
    assertRejected(ServerListeners.listener(NAME, "my-host", 8080).addFilterChains(plainChain("c", null)).build(),
        "address.socket_address.address: 'my-host' is not an IP address");
  }

  @Test
  void listenerFiltersOtherThanTheSniffersAreRefused() {
    assertRejected(inbound().addListenerFilters(ListenerFilter.newBuilder()
            .setName("envoy.filters.listener.proxy_protocol")).addFilterChains(plainChain("c", null)).build(),
        "listener_filters[0]: listener filter 'envoy.filters.listener.proxy_protocol' is not supported (only "
            + "tls_inspector, http_inspector and original_dst, whose work the mesh does itself)");
  }

  @Test
  void tlsRefusalsNameTheField() {
    DownstreamTlsContext unknownProvider = mtls("default", true).toBuilder()
        .setCommonTlsContext(mtls("default", true).getCommonTlsContext().toBuilder()
            .setTlsCertificateProviderInstance(mtls("default", true).getCommonTlsContext()
                .getTlsCertificateProviderInstance().toBuilder().setInstanceName("nope")))
        .build();
    assertRejected(inbound().addFilterChains(chain("c", null, unknownProvider, inlineHcm(allowAll("r")))).build(),
        "filter_chains[0].transport_socket.typed_config.common_tls_context.tls_certificate_provider_instance"
            + ".instance_name: 'nope' is not a certificate provider instance in the bootstrap [default]");

    DownstreamTlsContext noCertificate = mtls("default", false).toBuilder()
        .setCommonTlsContext(mtls("default", false).getCommonTlsContext().toBuilder()
            .clearTlsCertificateProviderInstance())
        .build();
    assertRejected(inbound().addFilterChains(chain("c", null, noCertificate, inlineHcm(allowAll("r")))).build(),
        "filter_chains[0].transport_socket.typed_config.common_tls_context.tls_certificate_provider_instance: "
            + "required (a server presents a certificate)");

    DownstreamTlsContext noRoots = mtls("default", true).toBuilder()
        .setCommonTlsContext(mtls("default", true).getCommonTlsContext().toBuilder().clearCombinedValidationContext())
        .build();
    assertRejected(inbound().addFilterChains(chain("c", null, noRoots, inlineHcm(allowAll("r")))).build(),
        "filter_chains[0].transport_socket.typed_config.require_client_certificate: needs a validation context to "
            + "check client certificates against");

    assertRejected(inbound().addFilterChains(chain("c", null,
            mtls("default", true).toBuilder().setRequireSni(BoolValue.of(true)).build(), inlineHcm(allowAll("r"))))
            .build(),
        "filter_chains[0].transport_socket.typed_config.require_sni: not supported");
  }

  @Test
  void matchCriteriaEnvoyDoesNotImplementAreRefused() {
    assertRejected(inbound().addFilterChains(plainChain("c", match().setSuffixLen(UInt32Value.of(8)).build()))
            .build(),
        "filter_chains[0].filter_chain_match.suffix_len: not supported");
    assertRejected(inbound().addFilterChains(plainChain("c", match().addServerNames("a.*.com").build())).build(),
        "filter_chains[0].filter_chain_match.server_names[0]: 'a.*.com' is neither a name nor a wildcard like "
            + "*.example.com");
    assertRejected(inbound().addFilterChains(plainChain("c", match().addPrefixRanges(cidr("10.0.0.0", 33)).build()))
            .build(),
        "filter_chains[0].filter_chain_match.prefix_ranges[0].prefix_len: prefix_len 33 exceeds 32");
  }

  @Test
  void aChainNeedsExactlyOneHttpConnectionManager() {
    Listener noFilters = inbound().addFilterChains(plainChain("c", null).toBuilder().clearFilters()).build();
    assertRejected(noFilters,
        "filter_chains[0].filters: exactly one HttpConnectionManager filter is required, found 0 filters");
    assertRejected(inbound().build(), "filter_chains: missing (and no default_filter_chain)");
  }

  @Test
  void routeOverridesDecodeThroughTheListenersFilters() throws ResourceInvalidException {
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("r")
        .addVirtualHosts(VirtualHost.newBuilder().setName("vh").addDomains("*")
            .addRoutes(ServerListeners.nonForwarding("admin", "/admin").toBuilder()
                .putTypedPerFilterConfig("check", Any.pack(com.google.protobuf.StringValue.of("x-admin")))))
        .build();
    ServerListenerResource listener = decode(inbound().addFilterChains(chain("c", null, null,
        inlineHcm(routes).toBuilder().addHttpFilters(0, RequiredHeaderFilter.filter("check", "x-user")).build()))
        .build());
    assertThat(listener.filterChains().get(0).hcm().inlineRouteTable()).isNotNull();

    ListenerType builtIns = ListenerType.forMesh(Set.of(), BuiltInFilters.REGISTRY, null);
    assertThatThrownBy(() -> builtIns.decode(inbound().addFilterChains(chain("c", null, null, inlineHcm(routes)))
        .build(), notes::add))
        .hasMessageContaining("typed_per_filter_config['check']: filter type " + RequiredHeaderFilter.TYPE_URL
            + " is not supported");
  }
}

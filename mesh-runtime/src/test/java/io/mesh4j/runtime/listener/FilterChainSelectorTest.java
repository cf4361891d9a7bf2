package io.mesh4j.runtime.listener;

import static io.mesh4j.runtime.testing.ServerListeners.cidr;
import static io.mesh4j.runtime.testing.ServerListeners.match;
import static io.mesh4j.runtime.testing.ServerListeners.plainChain;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.ConnectionSourceType;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.testing.ServerListeners;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Chain selection as gRFC A36 and Envoy's filter chain manager define it: the criteria in order, the most specific
 * match at each, the default chain when a criterion leaves nothing (no going back). Listeners are decoded from the
 * protos istiod sends; chains are known by name.
 */
class FilterChainSelectorTest {

  private static FilterChainSelector<String> selector(FilterChain... chains) throws ResourceInvalidException {
    return selector(true, chains);
  }

  private static FilterChainSelector<String> selector(boolean withDefault, FilterChain... chains)
      throws ResourceInvalidException {
    Listener.Builder proto = ServerListeners.listener("inbound", "0.0.0.0", 8080).addAllFilterChains(List.of(chains));
    if (withDefault) {
      proto.setDefaultFilterChain(plainChain("default", null));
    }
    ServerListenerResource listener = ListenerType.INSTANCE.decode(proto.build(), DecodeContext.discarding()).server();
    List<FilterChainMatch> matches = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (ServerFilterChain chain : listener.filterChains()) {
      matches.add(chain.match());
      names.add(chain.name());
    }
    return FilterChainSelector.of(matches, names,
        listener.defaultFilterChain() == null ? null : listener.defaultFilterChain().name());
  }

  /** A plaintext connection from {@code source} (ip:port) to {@code destination} (ip:port). */
  private static ConnectionFacts plain(String destination, String source) {
    return facts(destination, source, ConnectionFacts.RAW_BUFFER, null, List.of());
  }

  private static ConnectionFacts facts(String destination, String source, String transport, String sni,
      List<String> alpn) {
    return new ConnectionFacts(address(destination), address(source), transport, sni, alpn);
  }

  private static InetSocketAddress address(String ipPort) {
    int colon = ipPort.lastIndexOf(':');
    return new InetSocketAddress(ipPort.substring(0, colon).replace("[", "").replace("]", ""),
        Integer.parseInt(ipPort.substring(colon + 1)));
  }

  @Test
  void aChainWithoutMatchTakesEveryConnection() throws ResourceInvalidException {
    FilterChainSelector<String> s = selector(plainChain("only", null));
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5000"))).isEqualTo("only");
    assertThat(s.select(plain("[fe80::1]:8080", "[fe80::2]:5000"))).isEqualTo("only");
  }

  @Test
  void noChainAndNoDefaultClosesTheConnection() throws ResourceInvalidException {
    FilterChainSelector<String> s = selector(false,
        plainChain("ten", match().addPrefixRanges(cidr("10.0.0.0", 8)).build()));
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5000"))).isEqualTo("ten");
    assertThat(s.select(plain("192.168.1.1:8080", "10.9.9.9:5000"))).isNull();
  }

  @Test
  void destinationPortExactBeatsUnset() throws ResourceInvalidException {
    FilterChainSelector<String> s = selector(
        plainChain("any-port", null),
        plainChain("port-8080", match().setDestinationPort(UInt32Value.of(8080)).build()));
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5000"))).isEqualTo("port-8080");
    assertThat(s.select(plain("10.1.2.3:9090", "10.9.9.9:5000"))).isEqualTo("any-port");
  }

  @Test
  void longestDestinationPrefixWins() throws ResourceInvalidException {
    FilterChainSelector<String> s = selector(
        plainChain("16", match().addPrefixRanges(cidr("10.1.0.0", 16)).build()),
        plainChain("24", match().addPrefixRanges(cidr("10.1.2.0", 24)).build()),
        plainChain("v6", match().addPrefixRanges(cidr("fe80::", 64)).build()));
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5000"))).isEqualTo("24");
    assertThat(s.select(plain("10.1.3.3:8080", "10.9.9.9:5000"))).isEqualTo("16");
    assertThat(s.select(plain("[fe80::7]:8080", "[fe80::2]:5000"))).isEqualTo("v6");
    assertThat(s.select(plain("192.168.0.1:8080", "10.9.9.9:5000"))).isEqualTo("default");
  }

  @Test
  void hostBitsOfAPrefixAreIgnoredAsEnvoyNormalizesThem() throws ResourceInvalidException {
    FilterChainSelector<String> s = selector(plainChain("ten", match().addPrefixRanges(cidr("10.7.7.7", 8)).build()));
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5000"))).isEqualTo("ten");
  }

  @Test
  void destinationIpIsDecidedBeforeSourceIp() throws ResourceInvalidException {
    FilterChainSelector<String> s = selector(
        plainChain("dst-24", match().addPrefixRanges(cidr("10.1.2.0", 24)).build()),
        plainChain("dst-16-src-32", match().addPrefixRanges(cidr("10.1.0.0", 16))
            .addSourcePrefixRanges(cidr("10.9.9.9", 32)).build()));
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5000"))).isEqualTo("dst-24");
  }

  @Test
  void aMoreSpecificBranchThatFailsLaterFallsToTheDefaultNotToALessSpecificChain() throws ResourceInvalidException {
    FilterChainSelector<String> s = selector(
        plainChain("dst-24-from-10.9", match().addPrefixRanges(cidr("10.1.2.0", 24))
            .addSourcePrefixRanges(cidr("10.9.0.0", 16)).build()),
        plainChain("dst-16", match().addPrefixRanges(cidr("10.1.0.0", 16)).build()));
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.1.1:5000"))).isEqualTo("dst-24-from-10.9");
    assertThat(s.select(plain("10.1.2.3:8080", "10.8.1.1:5000"))).isEqualTo("default");
  }

  @Test
  void sourceTypeSameIpOrLoopbackAndExternal() throws ResourceInvalidException {
    FilterChainSelector<String> s = selector(
        plainChain("local", match().setSourceType(ConnectionSourceType.SAME_IP_OR_LOOPBACK).build()),
        plainChain("external", match().setSourceType(ConnectionSourceType.EXTERNAL).build()));
    assertThat(s.select(plain("10.1.2.3:8080", "127.0.0.1:5000"))).isEqualTo("local");
    assertThat(s.select(plain("10.1.2.3:8080", "10.1.2.3:5000"))).isEqualTo("local");
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5000"))).isEqualTo("external");
  }

  @Test
  void sourceTypeIsDecidedBeforeSourceIp() throws ResourceInvalidException {
    FilterChainSelector<String> s = selector(
        plainChain("external", match().setSourceType(ConnectionSourceType.EXTERNAL).build()),
        plainChain("from-10.9", match().addSourcePrefixRanges(cidr("10.9.0.0", 16)).build()));
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5000"))).isEqualTo("external");
  }

  @Test
  void longestSourcePrefixThenSourcePort() throws ResourceInvalidException {
    FilterChainSelector<String> s = selector(
        plainChain("src-8", match().addSourcePrefixRanges(cidr("10.0.0.0", 8)).build()),
        plainChain("src-16", match().addSourcePrefixRanges(cidr("10.9.0.0", 16)).build()),
        plainChain("src-16-port", match().addSourcePrefixRanges(cidr("10.9.0.0", 16)).addSourcePorts(5000).build()));
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5000"))).isEqualTo("src-16-port");
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5001"))).isEqualTo("src-16");
    assertThat(s.select(plain("10.1.2.3:8080", "10.8.9.9:5000"))).isEqualTo("src-8");
  }

  @Test
  void transportProtocolSplitsPermissiveTrafficOnOnePort() throws ResourceInvalidException {
    FilterChainSelector<String> s = selector(false,
        plainChain("mtls", match().setTransportProtocol("tls").build()),
        plainChain("plaintext", match().setTransportProtocol("raw_buffer").build()));
    assertThat(s.select(facts("10.1.2.3:8080", "10.9.9.9:5000", "tls", null, List.of("h2")))).isEqualTo("mtls");
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5000"))).isEqualTo("plaintext");
  }

  @Test
  void serverNamesExactBeforeLongestWildcardBeforeNone() throws ResourceInvalidException {
    FilterChainSelector<String> s = selector(
        plainChain("none", null),
        plainChain("com", match().addServerNames("*.com").build()),
        plainChain("example", match().addServerNames("*.example.com").build()),
        plainChain("www", match().addServerNames("www.example.com").build()));
    assertThat(s.select(facts("10.1.2.3:8080", "10.9.9.9:5000", "tls", "www.example.com", List.of())))
        .isEqualTo("www");
    assertThat(s.select(facts("10.1.2.3:8080", "10.9.9.9:5000", "tls", "api.example.com", List.of())))
        .isEqualTo("example");
    assertThat(s.select(facts("10.1.2.3:8080", "10.9.9.9:5000", "tls", "a.b.example.com", List.of())))
        .isEqualTo("example");
    assertThat(s.select(facts("10.1.2.3:8080", "10.9.9.9:5000", "tls", "other.com", List.of()))).isEqualTo("com");
    assertThat(s.select(facts("10.1.2.3:8080", "10.9.9.9:5000", "tls", "WWW.Example.COM", List.of())))
        .as("names compare ignoring case").isEqualTo("www");
    assertThat(s.select(facts("10.1.2.3:8080", "10.9.9.9:5000", "tls", "API.EXAMPLE.com", List.of())))
        .isEqualTo("example");
    assertThat(s.select(facts("10.1.2.3:8080", "10.9.9.9:5000", "tls", "example.org", List.of()))).isEqualTo("none");
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5000"))).isEqualTo("none");
  }

  @Test
  void applicationProtocolsMatchTheFirstOfferedProtocolSomeChainWants() throws ResourceInvalidException {
    FilterChainSelector<String> s = selector(
        plainChain("h2", match().addApplicationProtocols("h2").build()),
        plainChain("istio", match().addApplicationProtocols("istio-peer-exchange").addApplicationProtocols("istio")
            .build()));
    assertThat(s.select(facts("10.1.2.3:8080", "10.9.9.9:5000", "tls", null, List.of("istio", "h2"))))
        .isEqualTo("istio");
    assertThat(s.select(facts("10.1.2.3:8080", "10.9.9.9:5000", "tls", null, List.of("h2", "istio"))))
        .isEqualTo("h2");
    assertThat(s.select(facts("10.1.2.3:8080", "10.9.9.9:5000", "tls", null, List.of("h2")))).isEqualTo("h2");
    assertThat(s.select(facts("10.1.2.3:8080", "10.9.9.9:5000", "tls", null, List.of("http/1.1"))))
        .isEqualTo("default");
  }

  @Test
  void istiodPermissiveListenerPicksByTransportAndAlpn() throws ResourceInvalidException {
    // What istiod sends a sidecar for PERMISSIVE: mTLS for TLS with Istio's ALPN, plaintext for raw_buffer; TLS
    // without Istio's ALPN is the application's own TLS, passed through.
    FilterChainSelector<String> s = selector(false,
        plainChain("mtls", match().setTransportProtocol("tls").addApplicationProtocols("istio-peer-exchange")
            .addApplicationProtocols("istio").build()),
        plainChain("tls-other", match().setTransportProtocol("tls").build()),
        plainChain("plaintext", match().setTransportProtocol("raw_buffer").build()));
    assertThat(s.select(facts("10.1.2.3:8080", "10.9.9.9:5000", "tls", null, List.of("istio")))).isEqualTo("mtls");
    assertThat(s.select(facts("10.1.2.3:8080", "10.9.9.9:5000", "tls", null, List.of("h2")))).isEqualTo("tls-other");
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5000"))).isEqualTo("plaintext");
  }

  @Test
  void moreThanSixtyFourChainsSelectTheSame() throws ResourceInvalidException {
    FilterChain[] chains = new FilterChain[70];
    for (int i = 0; i < chains.length; i++) {
      chains[i] = plainChain("port-" + (5000 + i), match().addSourcePrefixRanges(cidr("10.0.0.0", 8))
          .addSourcePorts(5000 + i).build());
    }
    FilterChainSelector<String> s = selector(chains);
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5000"))).isEqualTo("port-5000");
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:5069"))).isEqualTo("port-5069");
    assertThat(s.select(plain("10.1.2.3:8080", "10.9.9.9:6000"))).isEqualTo("default");
    assertThat(s.select(plain("10.1.2.3:8080", "192.168.9.9:5000"))).isEqualTo("default");
  }
}

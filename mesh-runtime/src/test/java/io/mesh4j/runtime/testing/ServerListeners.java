package io.mesh4j.runtime.testing;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.NonForwardingAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;

/** Server listener protos as istiod sends them to proxyless servers (its inbound listener), for tests. */
public final class ServerListeners {
  /** Istio's template for proxyless servers. */
  public static final String ISTIO_TEMPLATE = "xds.istio.io/grpc/lds/inbound/%s";

  private ServerListeners() {}

  /** {@code bootstrapJson} with Istio's {@code server_listener_resource_name_template}. */
  public static String withServerTemplate(String bootstrapJson) {
    int end = bootstrapJson.lastIndexOf('}');
    return bootstrapJson.substring(0, end) + ",\n  \"server_listener_resource_name_template\": \"" + ISTIO_TEMPLATE
        + "\"\n}\n";
  }

  /** The resource name istiod is asked for, e.g. {@code xds.istio.io/grpc/lds/inbound/0.0.0.0:8080}. */
  public static String name(String ipPort) {
    return ISTIO_TEMPLATE.replace("%s", ipPort);
  }

  public static Listener.Builder listener(String name, String address, int port) {
    return Listener.newBuilder()
        .setName(name)
        .setAddress(Address.newBuilder().setSocketAddress(
            SocketAddress.newBuilder().setAddress(address).setPortValue(port)));
  }

  /** A chain with {@code match} (null: none), TLS ({@code null}: plaintext) and an HCM. */
  public static FilterChain chain(String name, FilterChainMatch match, DownstreamTlsContext tls,
      HttpConnectionManager hcm) {
    FilterChain.Builder chain = FilterChain.newBuilder()
        .setName(name)
        .addFilters(Filter.newBuilder().setName("envoy.filters.network.http_connection_manager")
            .setTypedConfig(Any.pack(hcm)));
    if (match != null) {
      chain.setFilterChainMatch(match);
    }
    if (tls != null) {
      chain.setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
          .setTypedConfig(Any.pack(tls)));
    } else {
      chain.setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.raw_buffer")
          .setTypedConfig(Any.pack(RawBuffer.getDefaultInstance())));
    }
    return chain.build();
  }

  /** A plaintext chain answering every request through to the application. */
  public static FilterChain plainChain(String name, FilterChainMatch match) {
    return chain(name, match, null, inlineHcm(allowAll("inbound")));
  }

  public static HttpConnectionManager inlineHcm(RouteConfiguration routes) {
    return HttpConnectionManager.newBuilder().setRouteConfig(routes).addHttpFilters(XdsResources.routerFilter())
        .build();
  }

  /** istiod's inbound route configuration: one virtual host for every domain, non-forwarding. */
  public static RouteConfiguration allowAll(String name) {
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addVirtualHosts(VirtualHost.newBuilder().setName("inbound|hello").addDomains("*")
            .addRoutes(nonForwarding("default", "/")))
        .build();
  }

  public static Route nonForwarding(String name, String prefix) {
    return Route.newBuilder()
        .setName(name)
        .setMatch(RouteMatch.newBuilder().setPrefix(prefix))
        .setNonForwardingAction(NonForwardingAction.getDefaultInstance())
        .build();
  }

  public static FilterChainMatch.Builder match() {
    return FilterChainMatch.newBuilder();
  }

  public static CidrRange cidr(String address, int length) {
    return CidrRange.newBuilder().setAddressPrefix(address).setPrefixLen(UInt32Value.of(length)).build();
  }

  public static ListenerFilter tlsInspector() {
    return ListenerFilter.newBuilder().setName("envoy.filters.listener.tls_inspector")
        .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance())).build();
  }

  /**
   * istiod's mTLS server context: certificate and roots from provider instance {@code instance}, the client
   * certificate required or not, SPIFFE IDs (if any) as exact URI SAN matchers.
   */
  public static DownstreamTlsContext mtls(String instance, boolean requireClientCertificate, String... spiffeIds) {
    CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder()
        .setCaCertificateProviderInstance(
            CertificateProviderPluginInstance.newBuilder().setInstanceName(instance).setCertificateName("ROOTCA"));
    for (String id : spiffeIds) {
      validation.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
          .setSanType(SubjectAltNameMatcher.SanType.URI).setMatcher(StringMatcher.newBuilder().setExact(id)));
    }
    return DownstreamTlsContext.newBuilder()
        .setRequireClientCertificate(BoolValue.of(requireClientCertificate))
        .setCommonTlsContext(CommonTlsContext.newBuilder()
            .setTlsCertificateProviderInstance(
                CertificateProviderPluginInstance.newBuilder().setInstanceName(instance).setCertificateName("default"))
            .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                .setDefaultValidationContext(validation)))
        .build();
  }
}

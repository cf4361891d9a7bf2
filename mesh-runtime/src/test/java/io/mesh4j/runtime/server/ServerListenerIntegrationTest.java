package io.mesh4j.runtime.server;

import static io.mesh4j.runtime.testing.ServerListeners.allowAll;
import static io.mesh4j.runtime.testing.ServerListeners.chain;
import static io.mesh4j.runtime.testing.ServerListeners.inlineHcm;
import static io.mesh4j.runtime.testing.ServerListeners.match;
import static io.mesh4j.runtime.testing.ServerListeners.mtls;
import static io.mesh4j.runtime.testing.ServerListeners.plainChain;
import static io.mesh4j.runtime.testing.XdsResources.LDS;
import static io.mesh4j.runtime.testing.XdsResources.RDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.bootstrap.Bootstrap;
import io.mesh4j.runtime.bootstrap.BootstrapParser;
import io.mesh4j.runtime.filter.FilterRegistry;
import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.InboundChain;
import io.mesh4j.runtime.inbound.InboundPort;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.inbound.PeerIdentity;
import io.mesh4j.runtime.inbound.ServerTls;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.route.RouteConfigurationType;
import io.mesh4j.runtime.security.MeshSecurity;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.RequiredHeaderFilter;
import io.mesh4j.runtime.testing.ServerListeners;
import io.mesh4j.runtime.testing.TestInboundRequest;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.runtime.xds.XdsClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server listeners from a real control plane (java-control-plane on loopback), TLS from a real certificate provider
 * over BouncyCastle-made certificates, handshakes over real sockets.
 */
class ServerListenerIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String NS = "spiffe://cluster.local/ns/shop/sa/";
  private static final String NAME = ServerListeners.name("0.0.0.0:8080");
  private static final ConnectionFacts PLAIN = new ConnectionFacts(new InetSocketAddress("127.0.0.1", 8080),
      new InetSocketAddress("127.0.0.1", 40000), ConnectionFacts.RAW_BUFFER, null, List.of());
  private static final ConnectionFacts TLS = new ConnectionFacts(new InetSocketAddress("127.0.0.1", 8080),
      new InetSocketAddress("127.0.0.1", 40000), ConnectionFacts.TLS, null, List.of("h2"));

  @TempDir Path certs;
  private final TestPki.Ca root = TestPki.root("root-a");
  private final TestPki.Ca intermediate = root.intermediate("intermediate-a");
  private LoopbackControlPlane controlPlane;
  private ScheduledExecutorService scheduler;
  private XdsClient xds;
  private MeshSecurity security;
  private MeshInboundPorts ports;
  private InboundPort port;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    intermediate.leaf(NS + "catalog").writeIstioFiles(certs, root.certificate());
    Bootstrap bootstrap = BootstrapParser.parse(ServerListeners.withServerTemplate(
        TlsResources.withFileWatcher(controlPlane.bootstrapJson(), "default", certs, "0.2s")), "test");
    scheduler = Executors.newSingleThreadScheduledExecutor();
    xds = XdsClient.newBuilder(bootstrap, scheduler).build();
    security = MeshSecurity.start(bootstrap.certificateProviders(), xds, scheduler, Clock.systemUTC());
    FilterRegistry filters = FilterRegistry.of(List.of(new RequiredHeaderFilter()));
    ports = new MeshInboundPorts(xds,
        ListenerType.forMesh(security.providerInstanceNames(), filters, bootstrap.serverListenerResourceNameTemplate()),
        RouteConfigurationType.withFilters(filters), security, bootstrap::serverListenerName);
  }

  @AfterEach
  void stop() {
    if (port != null) {
      port.close();
    }
    security.close();
    xds.close();
    scheduler.shutdownNow();
    controlPlane.close();
  }

  private void serve(String version, List<Listener> listeners, List<RouteConfiguration> routes) {
    controlPlane.setSnapshot(version, listeners, routes, List.of(), List.of());
  }

  private ResourceStatus status(String typeUrl, String name) {
    return xds.status().stream().filter(s -> s.typeUrl().equals(typeUrl) && s.name().equals(name)).findFirst()
        .orElse(null);
  }

  private static Listener permissive(String version) {
    return ServerListeners.listener(NAME, "0.0.0.0", 8080)
        .addListenerFilters(ServerListeners.tlsInspector())
        .addFilterChains(chain("mtls-" + version, match().setTransportProtocol("tls").build(),
            mtls("default", true, NS + "frontend"), inlineHcm(allowAll("inbound"))))
        .addFilterChains(plainChain("plaintext-" + version, match().setTransportProtocol("raw_buffer").build()))
        .build();
  }

  @Test
  void aPortServesNothingUntilItsListenerArrivesAndIsListedInTheStatus() {
    port = ports.open(8080);
    await().atMost(WAIT).until(() -> controlPlane.lastRequest(LDS) != null
        && controlPlane.lastRequest(LDS).getResourceNamesList().contains(NAME));
    assertThat(port.chainFor(PLAIN)).isNull();
    assertThat(port.ready().toCompletableFuture()).isNotDone();

    serve("1", List.of(permissive("1")), List.of());

    port.ready().toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    assertThat(port.chainFor(PLAIN).name()).isEqualTo("plaintext-1");
    assertThat(port.chainFor(PLAIN).tls()).isNull();
    assertThat(port.chainFor(TLS).name()).isEqualTo("mtls-1");
    assertThat(port.chainFor(TLS).tls().requireClientCertificate()).isTrue();
    await().atMost(WAIT).until(() -> status(LDS, NAME) != null && status(LDS, NAME).state() == ResourceState.ACKED);
  }

  @Test
  void asksForTheBoundAddressWhenKnown() throws Exception {
    port = ports.open(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8081));
    String bound = ServerListeners.name("127.0.0.1:8081");
    await().atMost(WAIT).until(() -> controlPlane.lastRequest(LDS) != null
        && controlPlane.lastRequest(LDS).getResourceNamesList().contains(bound));

    serve("1", List.of(ServerListeners.listener(bound, "127.0.0.1", 8081)
        .addFilterChains(plainChain("bound", null)).build()), List.of());
    port.ready().toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    assertThat(port.chainFor(PLAIN).name()).isEqualTo("bound");
  }

  @Test
  void aBadOrRemovedListenerLeavesTheLastGoodOneServing() {
    port = ports.open(8080);
    serve("1", List.of(permissive("1")), List.of());
    port.ready().toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();

    Listener conflicting = permissive("2").toBuilder()
        .addFilterChains(plainChain("plaintext-again", match().setTransportProtocol("raw_buffer").build())).build();
    serve("2", List.of(conflicting), List.of());
    await().atMost(WAIT).until(() -> controlPlane.lastRequest(LDS).hasErrorDetail());
    assertThat(controlPlane.lastRequest(LDS).getErrorDetail().getMessage()).isEqualTo("LDS resource '" + NAME
        + "': filter_chains[2].filter_chain_match: overlaps filter_chains[1] (both would take the same "
        + "connections)");
    assertThat(status(LDS, NAME).state()).isEqualTo(ResourceState.NACKED);
    assertThat(port.chainFor(PLAIN).name()).isEqualTo("plaintext-1");

    serve("3", List.of(), List.of());
    await().atMost(WAIT).until(() -> status(LDS, NAME).state() == ResourceState.DOES_NOT_EXIST);
    assertThat(port.chainFor(PLAIN).name()).isEqualTo("plaintext-1");

    serve("4", List.of(permissive("4")), List.of());
    await().atMost(WAIT).until(() -> port.chainFor(PLAIN).name().equals("plaintext-4"));
  }

  @Test
  void requestsGoThroughRoutesThenFiltersWithPerRouteOverrides() {
    HttpConnectionManager hcm = XdsResources.rdsHcm("inbound-routes").toBuilder()
        .addHttpFilters(0, RequiredHeaderFilter.filter("check", "x-user")).build();
    Listener listener = ServerListeners.listener(NAME, "0.0.0.0", 8080)
        .setDefaultFilterChain(chain("hcm", null, null, hcm)).build();
    port = ports.open(8080);
    serve("1", List.of(listener), List.of(routes("v1")));
    port.ready().toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    InboundChain chain = port.chainFor(PLAIN);
    assertThat(chain.name()).isEqualTo("hcm");

    assertThat(chain.handle(TestInboundRequest.post("catalog:8080", "/items").with("x-user", "a"))).isNull();
    assertReply(chain.handle(TestInboundRequest.post("catalog:8080", "/items")), 403, "missing x-user");
    assertReply(chain.handle(TestInboundRequest.post("catalog:8080", "/admin").with("x-user", "a")), 403,
        "missing x-admin");
    assertThat(chain.handle(TestInboundRequest.post("catalog:8080", "/admin").with("x-admin", "a"))).isNull();
    assertThat(chain.handle(TestInboundRequest.post("catalog:8080", "/public"))).isNull();
    InboundReply noRoute = chain.handle(TestInboundRequest.post("other:8080", "/items").with("x-user", "a"));
    assertReply(noRoute, 404, "");
    assertThat(noRoute.grpcStatusCode()).isEqualTo(12);
    InboundReply forwarding = chain.handle(TestInboundRequest.post("catalog:8080", "/legacy").with("x-user", "a"));
    assertReply(forwarding, 503, HcmChain.FORWARDING_ROUTE);
    assertThat(forwarding.grpcStatusCode()).as("UNAVAILABLE, as grpc-java's server").isEqualTo(14);
    assertReply(chain.handle(TestInboundRequest.post("catalog:8080", "/ping").with("x-user", "a")), 200, "pong v1");
    await().atMost(WAIT).until(() -> status(RDS, "inbound-routes") != null
        && status(RDS, "inbound-routes").state() == ResourceState.ACKED);

    serve("2", List.of(listener), List.of(routes("v2")));
    await().atMost(WAIT).until(() -> {
      InboundReply reply = port.chainFor(PLAIN).handle(TestInboundRequest.post("catalog:8080", "/ping")
          .with("x-user", "a"));
      return reply != null && reply.body().equals("pong v2");
    });
    assertThat(chain.handle(TestInboundRequest.post("catalog:8080", "/ping").with("x-user", "a")).body())
        .as("a chain already handed out keeps its config, as an Envoy connection does").isEqualTo("pong v1");
  }

  private static void assertReply(InboundReply reply, int status, String body) {
    assertThat(reply).isNotNull();
    assertThat(reply.httpStatus()).isEqualTo(status);
    assertThat(reply.body()).isEqualTo(body);
  }

  private static RouteConfiguration routes(String version) {
    return RouteConfiguration.newBuilder().setName("inbound-routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("catalog").addDomains("catalog").addDomains("catalog:8080")
            .addRoutes(ServerListeners.nonForwarding("admin", "/admin").toBuilder()
                .putTypedPerFilterConfig("check", Any.pack(com.google.protobuf.StringValue.of("x-admin"))))
            .addRoutes(ServerListeners.nonForwarding("public", "/public").toBuilder()
                .putTypedPerFilterConfig("check", Any.pack(FilterConfig.newBuilder().setDisabled(true).build())))
            .addRoutes(Route.newBuilder().setName("legacy").setMatch(RouteMatch.newBuilder().setPrefix("/legacy"))
                .setRoute(RouteAction.newBuilder().setCluster("legacy")))
            .addRoutes(Route.newBuilder().setName("ping").setMatch(RouteMatch.newBuilder().setPath("/ping"))
                .setDirectResponse(DirectResponseAction.newBuilder().setStatus(200)
                    .setBody(DataSource.newBuilder().setInlineString("pong " + version))))
            .addRoutes(ServerListeners.nonForwarding("default", "/")))
        .build();
  }

  @Test
  void strictChainHandshakesWithTheProvidersCertificateAndRefusesClientsWithoutOne() throws Exception {
    port = ports.open(8080);
    serve("1", List.of(permissive("1")), List.of());
    port.ready().toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    security.provider("default").ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    ServerTls tls = port.chainFor(TLS).tls();

    TestPki.Leaf frontend = intermediate.leaf(NS + "frontend");
    Handshake ok = handshake(tls, client(frontend));
    assertThat(ok.clientError).isNull();
    assertThat(ok.server.join()).isEqualTo(NS + "frontend");
    assertThat(ok.serverCertificate.getSubjectAlternativeNames().iterator().next().get(1)).isEqualTo(NS + "catalog");

    Handshake anonymous = handshake(tls, client(null));
    assertThat(anonymous.clientError).as("a client without a certificate is refused").isNotNull();
    assertThatThrownBy(anonymous.server::join).hasRootCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class);

    Handshake intruder = handshake(tls, client(intermediate.leaf(NS + "intruder")));
    assertThat(intruder.clientError).as("a client whose SAN matches no matcher is refused").isNotNull();
    assertThatThrownBy(intruder.server::join).hasStackTraceContaining(NS + "intruder");

    Handshake stranger = handshake(tls, client(TestPki.root("other-root").leaf(NS + "frontend")));
    assertThat(stranger.clientError).as("a client of another CA is refused").isNotNull();
  }

  @Test
  void aRotatedServerCertificateIsPresentedByTheNextHandshakeWithoutRebuildingTheChain() throws Exception {
    port = ports.open(8080);
    serve("1", List.of(permissive("1")), List.of());
    port.ready().toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    security.provider("default").ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    ServerTls tls = port.chainFor(TLS).tls();
    TestPki.Leaf frontend = intermediate.leaf(NS + "frontend");
    X509Certificate before = handshake(tls, client(frontend)).serverCertificate;

    TestPki.Leaf rotated = intermediate.leaf(NS + "catalog");
    rotated.writeIstioFiles(certs, root.certificate());
    await().atMost(WAIT).until(() -> handshake(tls, client(frontend)).serverCertificate.getSerialNumber()
        .equals(rotated.certificate().getSerialNumber()));
    assertThat(rotated.certificate().getSerialNumber()).isNotEqualTo(before.getSerialNumber());
    assertThat(port.chainFor(TLS).tls()).isSameAs(tls);
  }

  @Test
  void aChainOverSdsSecretsHandshakesAndReleasesItsSecretsWhenTheListenerDropsIt() throws Exception {
    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext sds =
        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.newBuilder()
            .setRequireClientCertificate(com.google.protobuf.BoolValue.of(true))
            .setCommonTlsContext(TlsResources.sds("server-cert", "roots", NS + "frontend").getCommonTlsContext())
            .build();
    Listener overSds = ServerListeners.listener(NAME, "0.0.0.0", 8080)
        .addFilterChains(chain("sds", null, sds, inlineHcm(allowAll("inbound")))).build();
    TestPki.Leaf catalog = intermediate.leaf(NS + "catalog-sds");
    controlPlane.setSnapshot("1", List.of(overSds), List.of(), List.of(), List.of(), List.of(
        TlsResources.certificateSecret("server-cert", catalog),
        TlsResources.rootsSecret("roots", TestPki.pem(root.certificate()))));
    port = ports.open(8080);
    port.ready().toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    ServerTls tls = port.chainFor(TLS).tls();
    assertThat(security.downstreamCount()).isEqualTo(1);
    assertThat(security.sdsWatchCount()).isEqualTo(2);

    TestPki.Leaf frontend = intermediate.leaf(NS + "frontend");
    await().atMost(WAIT).until(() -> handshake(tls, client(frontend)).clientError == null);
    Handshake ok = handshake(tls, client(frontend));
    assertThat(ok.server.join()).isEqualTo(NS + "frontend");
    assertThat(ok.serverCertificate.getSerialNumber()).isEqualTo(catalog.certificate().getSerialNumber());
    assertThat(handshake(tls, client(null)).clientError).isNotNull();

    controlPlane.setSnapshot("2", List.of(permissive("2").toBuilder().removeFilterChains(0).build()), List.of(),
        List.of(), List.of(), List.of());
    await().atMost(WAIT).until(() -> port.chainFor(PLAIN).name().equals("plaintext-2"));
    assertThat(security.downstreamCount()).isZero();
    assertThat(security.sdsWatchCount()).isZero();
  }

  @Test
  void closingAPortUnsubscribesAndReleasesItsTls() {
    port = ports.open(8080);
    serve("1", List.of(permissive("1")), List.of());
    port.ready().toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    assertThat(security.downstreamCount()).isEqualTo(1);

    port.close();
    port = null;
    assertThat(security.downstreamCount()).isZero();
    await().atMost(WAIT).until(() -> !controlPlane.lastRequest(LDS).getResourceNamesList().contains(NAME));
  }

  @Test
  void tlsVersionsAndCipherSuitesBindTheHandshake() throws Exception {
    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext tls13 = mtls("default", true)
        .toBuilder().setCommonTlsContext(mtls("default", true).getCommonTlsContext().toBuilder()
            .setTlsParams(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.newBuilder()
                .setTlsMinimumProtocolVersion(
                    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.TlsProtocol.TLSv1_3)))
        .build();
    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext tls12 = mtls("default", true)
        .toBuilder().setCommonTlsContext(mtls("default", true).getCommonTlsContext().toBuilder()
            .setTlsParams(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.newBuilder()
                .setTlsMaximumProtocolVersion(
                    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.TlsProtocol.TLSv1_2)
                .addCipherSuites("ECDHE-ECDSA-AES256-GCM-SHA384")))
        .build();
    port = ports.open(8080);
    serve("1", List.of(ServerListeners.listener(NAME, "0.0.0.0", 8080)
        .addFilterChains(chain("tls13", match().setTransportProtocol("tls").addApplicationProtocols("h2").build(),
            tls13, inlineHcm(allowAll("inbound"))))
        .addFilterChains(chain("tls12", match().setTransportProtocol("tls").build(), tls12,
            inlineHcm(allowAll("inbound"))))
        .build()), List.of());
    port.ready().toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    security.provider("default").ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    TestPki.Leaf frontend = intermediate.leaf(NS + "frontend");

    ServerTls only13 = port.chainFor(TLS).tls();
    assertThat(only13.parameters().getProtocols()).containsExactly("TLSv1.3");
    assertThat(handshake(only13, client(frontend)).clientError).isNull();
    SSLContext client12 = client(frontend);
    javax.net.ssl.SSLParameters twelve = client12.getDefaultSSLParameters();
    twelve.setProtocols(new String[] {"TLSv1.2"});
    assertThat(handshake(only13, client12, twelve).clientError).as("a TLS 1.2 client against TLSv1.3 minimum")
        .isNotNull();

    ServerTls only12 = port.chainFor(new ConnectionFacts(TLS.localAddress(), TLS.remoteAddress(), ConnectionFacts.TLS,
        null, List.of("http/1.1"))).tls();
    assertThat(only12.parameters().getProtocols()).containsExactly("TLSv1.2");
    assertThat(only12.parameters().getCipherSuites()).contains("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")
        .doesNotContain("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    Handshake negotiated = handshake(only12, client(frontend));
    assertThat(negotiated.clientError).isNull();
    assertThat(negotiated.cipherSuite).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
  }

  @Test
  void aListenerServesOnlyOnceItsRouteConfigurationArrived() {
    Listener listener = ServerListeners.listener(NAME, "0.0.0.0", 8080)
        .addFilterChains(chain("rds", null, null, XdsResources.rdsHcm("inbound-routes"))).build();
    port = ports.open(8080);
    serve("1", List.of(listener), List.of());
    await().atMost(WAIT).until(() -> controlPlane.lastRequest(RDS) != null
        && controlPlane.lastRequest(RDS).getResourceNamesList().contains("inbound-routes"));
    assertThat(port.ready().toCompletableFuture()).isNotDone();
    assertThat(port.chainFor(PLAIN)).isNull();

    serve("2", List.of(listener), List.of(allowAll("inbound-routes")));
    port.ready().toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    assertThat(port.chainFor(PLAIN).handle(TestInboundRequest.post("catalog:8080", "/"))).isNull();
  }

  /** One TLS connection to a server socket made from the chain's TLS: what the client saw, what the server saw. */
  private record Handshake(Exception clientError, X509Certificate serverCertificate, String cipherSuite,
      CompletableFuture<String> server) {}

  private static Handshake handshake(ServerTls tls, SSLContext client) throws IOException {
    return handshake(tls, client, null);
  }

  private static Handshake handshake(ServerTls tls, SSLContext client, javax.net.ssl.SSLParameters clientParameters)
      throws IOException {
    try (SSLServerSocket listening = (SSLServerSocket) tls.context().getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listening.setSSLParameters(tls.parameters());
      CompletableFuture<String> server = CompletableFuture.supplyAsync(() -> {
        try (SSLSocket accepted = (SSLSocket) listening.accept()) {
          accepted.setSoTimeout((int) WAIT.toMillis());
          accepted.startHandshake();
          PeerIdentity peer = PeerIdentity.of(
              (X509Certificate[]) accepted.getSession().getPeerCertificates());
          InputStream in = accepted.getInputStream();
          OutputStream out = accepted.getOutputStream();
          out.write(in.read());
          out.flush();
          return peer.principalName();
        } catch (IOException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      Exception clientError = null;
      X509Certificate serverCertificate = null;
      String cipherSuite = null;
      try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(
          InetAddress.getLoopbackAddress(), listening.getLocalPort())) {
        if (clientParameters != null) {
          socket.setSSLParameters(clientParameters);
        }
        socket.setSoTimeout((int) WAIT.toMillis());
        socket.startHandshake();
        serverCertificate = (X509Certificate) socket.getSession().getPeerCertificates()[0];
        cipherSuite = socket.getSession().getCipherSuite();
        // With TLS 1.3 the server judges the client's certificate after the client's handshake is done: the
        // refusal shows on the first read.
        socket.getOutputStream().write(7);
        socket.getOutputStream().flush();
        if (socket.getInputStream().read() != 7) {
          throw new IOException("the server closed the connection");
        }
      } catch (IOException e) {
        clientError = e;
      }
      try {
        server.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (Exception e) {
        // reported through the future
      }
      return new Handshake(clientError, serverCertificate, cipherSuite, server);
    }
  }

  /** A client trusting root-a, presenting {@code identity} (null: none). */
  private SSLContext client(TestPki.Leaf identity) {
    try {
      KeyManagerFactory kmf = null;
      if (identity != null) {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", identity.privateKey(), new char[0], identity.chain().toArray(new Certificate[0]));
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
      }
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("root", root.certificate());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.mesh4j.grpc;

import static io.mesh4j.runtime.testing.HandBuiltInbound.chain;
import static io.mesh4j.runtime.testing.HandBuiltInbound.denied;
import static io.mesh4j.runtime.testing.HandBuiltInbound.serverTls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.mesh4j.MeshPeer;
import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.testing.HandBuiltInbound;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import io.mesh4j.runtime.testing.TestPki;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The mesh's gRPC server on loopback with real TLS: STRICT, DISABLE and PERMISSIVE on one port, chosen per connection
 * by sniffing; no listener yet or no chain means the connection is closed; each call goes through its chain.
 */
class MeshGrpcServerTest {
  private static final String CLIENT_ID = "spiffe://cluster.local/ns/shop/sa/cart";
  private static final TestPki.Ca CA = TestPki.root("mesh-ca");
  private static final TestPki.Leaf SERVER = CA.leaf().spiffe("spiffe://cluster.local/ns/shop/sa/catalog")
      .dns("catalog.shop.svc").issue();
  private static final TestPki.Leaf CLIENT = CA.leaf().spiffe(CLIENT_ID).issue();

  private final List<AutoCloseable> closers = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closer : closers) {
      closer.close();
    }
  }

  @Test
  void strictServesMutualTlsClientsAndTellsTheServiceWhoCalls() throws Exception {
    HandBuiltInbound.Chain mtls = chain("mtls", serverTls(SERVER, true, CA.root()));
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort()).serveStrict(mtls));

    String answer = hello(tlsChannel(port, CLIENT), "hi");

    assertThat(answer).isEqualTo("peer=" + CLIENT_ID);
    ConnectionFacts facts = port.connections().get(0);
    assertThat(facts.transportProtocol()).isEqualTo("tls");
    assertThat(facts.serverName()).isEqualTo("catalog.shop.svc");
    assertThat(facts.applicationProtocols()).contains("h2");
    assertThat(facts.localAddress().getPort()).isEqualTo(port.port());
    HandBuiltInbound.Chain.Seen seen = mtls.seen().get(0);
    assertThat(seen.path()).isEqualTo("/test.Echo/Hello");
    assertThat(seen.method()).isEqualTo("POST");
    assertThat(seen.scheme()).isEqualTo("https");
    assertThat(seen.authority()).isEqualTo("catalog.shop.svc");
    assertThat(seen.principal()).isEqualTo(CLIENT_ID);
  }

  @Test
  void strictRefusesAClientWithoutCertificateInTheHandshake() throws Exception {
    HandBuiltInbound.Chain mtls = chain("mtls", serverTls(SERVER, true, CA.root()));
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort()).serveStrict(mtls));

    assertThatThrownBy(() -> hello(tlsChannel(port, null), "hi"))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThat(mtls.seen()).isEmpty();
  }

  @Test
  void strictRefusesPlaintextClients() throws Exception {
    HandBuiltInbound.Chain mtls = chain("mtls", serverTls(SERVER, true, CA.root()));
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort()).serveStrict(mtls));

    assertThatThrownBy(() -> hello(plaintextChannel(port), "hi"))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThat(port.connections()).extracting(ConnectionFacts::transportProtocol).contains("raw_buffer");
    assertThat(mtls.seen()).isEmpty();
  }

  @Test
  void permissiveServesPlaintextAndMutualTlsClientsOnOnePort() throws Exception {
    HandBuiltInbound.Chain mtls = chain("mtls", serverTls(SERVER, true, CA.root()));
    HandBuiltInbound.Chain plaintext = chain("plaintext", null);
    HandBuiltInbound.Port port = start(
        HandBuiltInbound.port(HandBuiltInbound.freePort()).servePermissive(mtls, plaintext));

    assertThat(hello(plaintextChannel(port), "hi")).isEqualTo("peer=none");
    assertThat(hello(tlsChannel(port, CLIENT), "hi")).isEqualTo("peer=" + CLIENT_ID);
    assertThat(hello(plaintextChannel(port), "hi")).isEqualTo("peer=none");

    assertThat(plaintext.seen()).hasSize(2).allSatisfy(seen -> {
      assertThat(seen.scheme()).isEqualTo("http");
      assertThat(seen.principal()).isNull();
      assertThat(seen.facts().transportProtocol()).isEqualTo("raw_buffer");
    });
    assertThat(mtls.seen()).singleElement().satisfies(seen -> assertThat(seen.principal()).isEqualTo(CLIENT_ID));
  }

  @Test
  void permissiveKeepsManyConcurrentConnectionsApart() throws Exception {
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort())
        .servePermissive(chain("mtls", serverTls(SERVER, true, CA.root())), chain("plaintext", null)));
    List<java.util.concurrent.CompletableFuture<List<String>>> clients = new ArrayList<>();
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(16);
    closers.add(threads::shutdownNow);
    for (int i = 0; i < 16; i++) {
      ManagedChannel channel = i % 2 == 0 ? tlsChannel(port, CLIENT) : plaintextChannel(port);
      clients.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        List<String> answers = new ArrayList<>();
        for (int call = 0; call < 5; call++) {
          answers.add(hello(channel, "hi"));
        }
        return answers;
      }, threads));
    }

    for (int i = 0; i < clients.size(); i++) {
      String expected = i % 2 == 0 ? "peer=" + CLIENT_ID : "peer=none";
      assertThat(clients.get(i).get(120, TimeUnit.SECONDS)).as("client %d", i).hasSize(5).containsOnly(expected);
    }
    assertThat(port.connections()).hasSize(16);
  }

  @Test
  void disableServesPlaintextOnly() throws Exception {
    HandBuiltInbound.Chain plaintext = chain("plaintext", null);
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort())
        .serve(facts -> facts.isTls() ? null : plaintext));

    assertThat(hello(plaintextChannel(port), "hi")).isEqualTo("peer=none");
    assertThatThrownBy(() -> hello(tlsChannel(port, CLIENT), "hi")).isInstanceOf(StatusRuntimeException.class);
  }

  @Test
  void refusesConnectionsUntilTheListenerArrives() throws Exception {
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort()));
    assertThatThrownBy(() -> hello(plaintextChannel(port), "hi"))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));

    port.serve(chain("plaintext", null));

    assertThat(hello(plaintextChannel(port), "hi")).isEqualTo("peer=none");
  }

  @Test
  void aChainsReplyEndsTheCallWithItsGrpcStatus() throws Exception {
    HandBuiltInbound.Chain rbac = chain("rbac", serverTls(SERVER, true, CA.root()),
        request -> "deny-me".equals(request.header("x-test")) ? denied("deny-other") : null);
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort()).serve(rbac));
    ManagedChannel channel = tlsChannel(port, CLIENT);

    assertThat(hello(channel, "hi")).isEqualTo("peer=" + CLIENT_ID);
    StatusRuntimeException denied = callWithHeader(channel, "deny-me");
    assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(denied.getStatus().getDescription()).isEqualTo("RBAC: access denied");
    assertThat(rbac.seen()).extracting(HandBuiltInbound.Chain.Seen::header).contains("deny-me");
  }

  @Test
  void aListenerUpdateAppliesToNewConnectionsWhileOpenOnesKeepTheirChain() throws Exception {
    HandBuiltInbound.Chain allowing = chain("v1", null);
    HandBuiltInbound.Chain denying = chain("v2", null, request -> denied("deny-all"));
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort()).serve(allowing));
    ManagedChannel before = plaintextChannel(port);
    assertThat(hello(before, "hi")).isEqualTo("peer=none");

    port.serve(denying);

    assertThat(hello(before, "hi")).as("the open connection keeps v1").isEqualTo("peer=none");
    assertThatThrownBy(() -> hello(plaintextChannel(port), "hi"))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    assertThat(allowing.seen()).hasSize(2);
    assertThat(denying.seen()).hasSize(1);
  }

  @Test
  void closesAConnectionWhoseClientHelloIsTooLarge() throws Exception {
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort())
        .serve(chain("mtls", serverTls(SERVER, true, CA.root()))));

    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port.port()), 10_000);
      socket.setSoTimeout(60_000);
      // A handshake record whose ClientHello announces 70000 bytes, over the 64 KiB the mesh reads.
      socket.getOutputStream().write(new byte[] {22, 3, 1, 0, 4, 1, 0x01, 0x11, 0x70});
      socket.getOutputStream().flush();
      assertThat(socket.getInputStream().read()).as("the server closed the connection").isEqualTo(-1);
    }
    assertThat(port.connections()).isEmpty();
  }

  @Test
  void closesAConnectionThatSendsNothingWithinTheSniffTimeout() throws Exception {
    HandBuiltInbound.Port port = HandBuiltInbound.port(HandBuiltInbound.freePort()).serve(chain("plaintext", null));
    MeshGrpcServer server = MeshServerBuilder.forInboundPort(port, Duration.ofMillis(200))
        .addService(service()).build().start();
    closers.add(() -> server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));

    try (Socket silent = new Socket()) {
      silent.connect(new InetSocketAddress("127.0.0.1", port.port()), 10_000);
      silent.setSoTimeout(60_000);
      InputStream in = silent.getInputStream();
      assertThat(in.read()).as("the server closed the connection").isEqualTo(-1);
    }
    assertThat(port.connections()).isEmpty();
  }

  @Test
  void shuttingDownStopsWatchingTheListener() throws Exception {
    HandBuiltInbound.Port port = HandBuiltInbound.port(HandBuiltInbound.freePort()).serve(chain("plaintext", null));
    MeshGrpcServer server = MeshServerBuilder.forInboundPort(port, Duration.ofSeconds(10))
        .addService(service()).build().start();
    assertThat(server.ready().toCompletableFuture().isDone()).isTrue();

    server.shutdown().awaitTermination(10, TimeUnit.SECONDS);

    assertThat(port.closed()).isTrue();
    assertThatThrownBy(() -> MeshServerBuilder.forInboundPort(port, Duration.ofSeconds(1))
        .useTransportSecurity((InputStream) null, null)).isInstanceOf(UnsupportedOperationException.class);
  }

  private static StatusRuntimeException callWithHeader(ManagedChannel channel, String value) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("x-test", Metadata.ASCII_STRING_MARSHALLER), value);
    try {
      ClientCalls.blockingUnaryCall(io.grpc.ClientInterceptors.intercept(channel,
              MetadataUtils.newAttachHeadersInterceptor(headers)), NamedGrpcServer.HELLO,
          io.grpc.CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), "hi");
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("the call was not refused");
  }

  /** Answers with the caller's principal as the service sees it through {@link MeshGrpc#PEER}. */
  static ServerServiceDefinition service() {
    ServerCalls.UnaryMethod<String, String> answer = (request, observer) -> {
      MeshPeer peer = MeshGrpc.PEER.get();
      observer.onNext("peer=" + (peer == null ? "none" : peer.principalName()));
      observer.onCompleted();
    };
    return ServerServiceDefinition.builder("test.Echo")
        .addMethod(NamedGrpcServer.HELLO, ServerCalls.asyncUnaryCall(answer))
        .build();
  }

  private HandBuiltInbound.Port start(HandBuiltInbound.Port port) throws Exception {
    MeshGrpcServer server = MeshServerBuilder.forInboundPort(port, Duration.ofSeconds(10))
        .addService(service()).build().start();
    closers.add(() -> server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
    return port;
  }

  private ManagedChannel plaintextChannel(HandBuiltInbound.Port port) {
    return track(Grpc.newChannelBuilder("127.0.0.1:" + port.port(), InsecureChannelCredentials.create()).build());
  }

  private ManagedChannel tlsChannel(HandBuiltInbound.Port port, TestPki.Leaf identity) {
    TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder()
        .trustManager(HandBuiltInbound.trustManagers(CA.root()).getTrustManagers());
    if (identity != null) {
      credentials.keyManager(HandBuiltInbound.keyManagers(identity).getKeyManagers());
    }
    ChannelCredentials built = credentials.build();
    return track(Grpc.newChannelBuilder("127.0.0.1:" + port.port(), built)
        .overrideAuthority("catalog.shop.svc").build());
  }

  private ManagedChannel track(ManagedChannel channel) {
    closers.add(() -> channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
    return channel;
  }

  static String hello(ManagedChannel channel, String request) {
    return ClientCalls.blockingUnaryCall(channel, NamedGrpcServer.HELLO,
        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);
  }
}

package io.mesh4j.grpc;

import static io.mesh4j.runtime.testing.HandBuiltInbound.chain;
import static io.mesh4j.runtime.testing.HandBuiltInbound.denied;
import static io.mesh4j.runtime.testing.HandBuiltInbound.serverTls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.mesh4j.runtime.inbound.grpc.InboundServerInterceptor;
import io.mesh4j.runtime.metrics.InboundMetrics;
import io.mesh4j.runtime.testing.DestinationMeters;
import io.mesh4j.runtime.testing.HandBuiltInbound;
import io.mesh4j.runtime.testing.TestPki;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MeshGrpc#serverInterceptor} on a TLS server the application built itself: the chain is chosen per call from
 * the transport's addresses and TLS session, and its HTTP filters and TLS terms apply.
 */
class MeshGrpcServerInterceptorTest {
  private static final String CLIENT_ID = "spiffe://cluster.local/ns/shop/sa/cart";
  private static final TestPki.Ca CA = TestPki.root("mesh-ca");
  private static final TestPki.Leaf SERVER = CA.leaf().dns("catalog.shop.svc").issue();
  private static final TestPki.Leaf CLIENT = CA.leaf().spiffe(CLIENT_ID).issue();

  private final List<AutoCloseable> closers = new ArrayList<>();
  private InboundMetrics metrics;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closer : closers) {
      closer.close();
    }
  }

  @Test
  void choosesTheChainFromTheCallsTlsSessionAndGivesTheServiceThePeer() throws Exception {
    HandBuiltInbound.Chain mtls = chain("mtls", serverTls(SERVER, true, CA.root()));
    HandBuiltInbound.Port port = HandBuiltInbound.port(startAppServer()).servePermissive(mtls, chain("plain", null));

    assertThat(MeshGrpcServerTest.hello(channel(port, CLIENT), "hi")).isEqualTo("peer=" + CLIENT_ID);

    assertThat(port.connections()).singleElement().satisfies(facts -> {
      assertThat(facts.transportProtocol()).isEqualTo("tls");
      assertThat(facts.serverName()).isEqualTo("catalog.shop.svc");
    });
    assertThat(mtls.seen()).singleElement().satisfies(seen -> assertThat(seen.principal()).isEqualTo(CLIENT_ID));
  }

  @Test
  void aChainThatRequiresAClientCertificateRefusesCallsWithout() throws Exception {
    HandBuiltInbound.Chain mtls = chain("mtls", serverTls(SERVER, true, CA.root()));
    HandBuiltInbound.Port port = HandBuiltInbound.port(startAppServer()).serve(mtls);

    assertThatThrownBy(() -> MeshGrpcServerTest.hello(channel(port, null), "hi"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).contains("requires a client certificate");
        });
    assertThat(mtls.seen()).isEmpty();
  }

  @Test
  void aChainsReplyClosesTheCall() throws Exception {
    HandBuiltInbound.Port port = HandBuiltInbound.port(startAppServer())
        .serve(chain("rbac", serverTls(SERVER, false, CA.root()), request -> denied("deny-all")));

    assertThatThrownBy(() -> MeshGrpcServerTest.hello(channel(port, CLIENT), "hi"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).isEqualTo("RBAC: access denied");
        });
  }

  @Test
  void servedCallsAndLocalRepliesAreRecordedAsTheDestinationWithThePeersPrincipal() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    metrics = DestinationMeters.into(registry);
    // Callers without a certificate are refused by the chain's policy, as RBAC would.
    HandBuiltInbound.Port port = HandBuiltInbound.port(startAppServer()).serve(chain("tls",
        serverTls(SERVER, false, CA.root()), request -> request.connection().peer() == null ? denied("no-peer") : null));

    MeshGrpcServerTest.hello(channel(port, CLIENT), "hi");
    MeshGrpcServerTest.hello(channel(port, CLIENT), "hi");
    assertThatThrownBy(() -> MeshGrpcServerTest.hello(channel(port, null), "hi"))
        .isInstanceOf(StatusRuntimeException.class);

    assertThat(DestinationMeters.requests(registry, "reporter", "destination",
        "source_principal", "cluster.local/ns/shop/sa/cart", "source_workload_namespace", "shop",
        "connection_security_policy", "mutual_tls", "request_protocol", "grpc", "response_code", "200",
        "grpc_response_status", "0", "destination_service", "catalog.shop.svc",
        "destination_workload", "catalog-v1", "destination_app", "catalog", "response_flags", "-"))
        .isEqualTo(2.0);
    assertThat(DestinationMeters.requests(registry, "reporter", "destination", "source_principal", "unknown",
        "connection_security_policy", "none", "response_code", "200", "grpc_response_status", "7")).isEqualTo(1.0);
    assertThat(registry.find("istio_request_duration_milliseconds").tag("reporter", "destination").timers()
        .stream().mapToLong(t -> t.count()).sum() + registry.find("istio_request_duration_milliseconds")
        .tag("reporter", "destination").summaries().stream().mapToLong(s -> s.count()).sum()).isEqualTo(3);
    // The test's messages are strings, not protobuf: their sizes count as 0, but every call has its size recorded.
    assertThat(registry.find("istio_response_bytes").tag("grpc_response_status", "0").summary().count())
        .isEqualTo(2);
  }

  /** A port for the application's server, which {@link #channel} starts on first use over the test's port. */
  private static int startAppServer() {
    return HandBuiltInbound.freePort();
  }

  /**
   * A client of the application's own TLS server (client certificates optional) with the mesh's interceptor,
   * started on first use.
   */
  private ManagedChannel channel(HandBuiltInbound.Port port, TestPki.Leaf identity) throws Exception {
    if (closers.isEmpty()) {
      Server server = Grpc.newServerBuilderForPort(port.port(), TlsServerCredentials.newBuilder()
              .keyManager(HandBuiltInbound.keyManagers(SERVER).getKeyManagers())
              .trustManager(HandBuiltInbound.trustManagers(CA.root()).getTrustManagers())
              .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
              .build())
          .addService(MeshGrpcServerTest.service())
          .intercept(new InboundServerInterceptor(port, metrics))
          .build().start();
      closers.add(() -> server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
    }
    TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder()
        .trustManager(HandBuiltInbound.trustManagers(CA.root()).getTrustManagers());
    if (identity != null) {
      credentials.keyManager(HandBuiltInbound.keyManagers(identity).getKeyManagers());
    }
    ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + port.port(), credentials.build())
        .overrideAuthority("catalog.shop.svc").build();
    closers.add(() -> channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
    return channel;
  }
}

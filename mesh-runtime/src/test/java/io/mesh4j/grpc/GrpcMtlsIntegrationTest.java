package io.mesh4j.grpc;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.grpc.ManagedChannel;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.ClientCalls;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import io.mesh4j.runtime.testing.SniRecordingTlsServer;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import io.mesh4j.runtime.testing.XdsResources;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC calls over mutual TLS: clusters with istiod's {@code UpstreamTlsContext} get TLS endpoint channels with the
 * mesh's certificate (from {@code file_watcher}) and SPIFFE checks; servers are grpc-java TLS servers requiring
 * client certificates, with no mesh code.
 */
class GrpcMtlsIntegrationTest {
  private static final String NS = "spiffe://cluster.local/ns/shop/sa/";
  private static final String TARGET = "catalog.mesh:9090";
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path certs;
  private final TestPki.Ca root = TestPki.root("root-a");
  private final TestPki.Leaf frontend = root.leaf(NS + "frontend");
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private LoopbackControlPlane controlPlane;
  private Mesh mesh;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    frontend.writeIstioFiles(certs, root.certificate());
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (mesh != null) {
      mesh.close();
    }
    for (AutoCloseable c : closeables) {
      c.close();
    }
    controlPlane.close();
  }

  /** A grpc-java server presenting {@code identity} and requiring a client certificate from root-a. */
  private NamedGrpcServer server(String name, TestPki.Leaf identity) {
    ServerCredentials credentials;
    try {
      credentials = TlsServerCredentials.newBuilder()
          .keyManager(stream(identity.chainPem()), stream(identity.keyPem()))
          .trustManager(stream(TestPki.pem(root.certificate())))
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
          .build();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    NamedGrpcServer server = NamedGrpcServer.start(name, credentials);
    closeables.add(server);
    return server;
  }

  private static ByteArrayInputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }

  private void serve(Cluster cluster, String... endpoints) {
    serve(WAIT, cluster, endpoints);
  }

  private void serve(Duration listenerWait, Cluster cluster, String... endpoints) {
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "routes")),
        List.of(routeConfig("routes", TARGET, cluster.getName())), List.of(cluster),
        List.of(cla(cluster.getName(), endpoints)));
    mesh = Mesh.builder()
        .bootstrapJson(TlsResources.withFileWatcher(controlPlane.bootstrapJson(), "default", certs, "600s"))
        .listenerWait(listenerWait)
        .build();
    channel = MeshGrpc.newChannel(mesh, TARGET);
  }

  private String call() {
    return ClientCalls.blockingUnaryCall(channel, NamedGrpcServer.HELLO,
        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS), "hi");
  }

  @Test
  void callsGoOverMutualTlsPresentingTheMeshCertificateAndCheckingTheServersSpiffeId() {
    NamedGrpcServer catalog = server("catalog", root.leaf(NS + "catalog"));
    serve(TlsResources.tlsCluster("catalog", TlsResources.istioMtls("default", "", NS + "catalog")),
        catalog.hostPort());

    assertThat(call()).isEqualTo("catalog");
    assertThat(call()).isEqualTo("catalog");
    assertThat(catalog.clientSerials()).containsExactly(frontend.certificate().getSerialNumber().toString(16));
    assertThat(catalog.lastAuthority()).isEqualTo(TARGET);
  }

  @Test
  void aServerWithAnotherSpiffeIdIsRefusedNamingTheCheck() {
    NamedGrpcServer impostor = server("impostor", root.leaf(NS + "impostor"));
    serve(TlsResources.tlsCluster("catalog", TlsResources.istioMtls("default", "", NS + "catalog")),
        impostor.hostPort());

    assertThatThrownBy(this::call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).contains("TLS handshake with " + impostor.hostPort())
          .contains("SAN_MISMATCH").contains(NS + "impostor");
    });
    assertThat(impostor.clientSerials()).isEmpty();
  }

  @Test
  void aPlaintextClusterStillGetsAPlaintextChannel() throws IOException {
    NamedGrpcServer plain = NamedGrpcServer.start("plain");
    closeables.add(plain);
    serve(XdsResources.edsCluster("catalog"), plain.hostPort());
    assertThat(call()).isEqualTo("plain");
  }

  @Test
  void missingMaterialFailsTheCallWithoutConnecting() throws IOException {
    NamedGrpcServer catalog = server("catalog", root.leaf(NS + "catalog"));
    java.nio.file.Files.delete(certs.resolve("cert-chain.pem"));
    java.nio.file.Files.delete(certs.resolve("key.pem"));
    serve(Duration.ofSeconds(2), TlsResources.tlsCluster("catalog",
        TlsResources.istioMtls("default", "", NS + "catalog")), catalog.hostPort());

    assertThatThrownBy(this::call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).contains("NO_MATERIAL")
          .contains("certificate provider instance 'default'");
    });
    assertThat(catalog.clientSerials()).isEmpty();
  }

  @Test
  void aClusterSniIsTheServerNameOfTheHandshakeWhileCallsStillNameTheTarget() {
    // What a TLS server sees in the client hello: the cluster's sni, not the target host.
    try (SniRecordingTlsServer onprem = SniRecordingTlsServer.start(root.leaf(NS + "catalog"), root.certificate())) {
      serve(Duration.ofSeconds(5), TlsResources.tlsCluster("catalog",
          TlsResources.istioMtls("default", "onprem.example.com", NS + "catalog")), onprem.hostPort());
      assertThatThrownBy(this::call).isInstanceOf(StatusRuntimeException.class); // it speaks no HTTP/2
      await().atMost(WAIT).until(() -> !onprem.serverNames().isEmpty());
      assertThat(onprem.serverNames()).containsOnly("onprem.example.com");
    }
  }

  @Test
  void withoutSniTheServerNameIsTheTargetHost() {
    try (SniRecordingTlsServer server = SniRecordingTlsServer.start(root.leaf(NS + "catalog"), root.certificate())) {
      serve(Duration.ofSeconds(5), TlsResources.tlsCluster("catalog",
          TlsResources.istioMtls("default", "", NS + "catalog")), server.hostPort());
      assertThatThrownBy(this::call).isInstanceOf(StatusRuntimeException.class);
      await().atMost(WAIT).until(() -> !server.serverNames().isEmpty());
      assertThat(server.serverNames()).containsOnly("catalog.mesh");
    }
  }

  @Test
  void aCallToAClusterWithSniIsServedWithTheTargetAsItsAuthority() {
    NamedGrpcServer catalog = server("catalog", root.leaf(NS + "catalog"));
    serve(TlsResources.tlsCluster("catalog", TlsResources.istioMtls("default", "onprem.example.com", NS + "catalog")),
        catalog.hostPort());

    assertThat(call()).isEqualTo("catalog");
    assertThat(catalog.lastAuthority()).isEqualTo(TARGET);
  }
}

package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.mesh4j.Mesh;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshTlsHandshakeException;
import io.mesh4j.runtime.testing.ConnectionCountingProxy;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.MtlsHttpServer;
import io.mesh4j.runtime.testing.PacedLoad;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import io.mesh4j.runtime.testing.WorkloadCertificateRotations;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS end to end: a real control plane sends istiod's proxyless TLS context; the client's certificate comes
 * from Istio's agent files through {@code file_watcher}; servers are plain JSSE servers requiring client
 * certificates. The application writes {@code http://}, the mesh sends TLS.
 */
class MtlsIntegrationTest {
  private static final String NS = "spiffe://cluster.local/ns/shop/sa/";
  private static final String TARGET = "catalog.mesh:8080";
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path certs;
  private final TestPki.Ca root = TestPki.root("root-a");
  private final TestPki.Ca intermediate = root.intermediate("intermediate-a");
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private LoopbackControlPlane controlPlane;
  private Mesh mesh;
  private OkHttpClient client;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    intermediate.leaf(NS + "frontend").writeIstioFiles(certs, root.certificate());
  }

  @AfterEach
  void stop() throws Exception {
    if (mesh != null) {
      mesh.close();
    }
    for (AutoCloseable c : closeables) {
      c.close();
    }
    controlPlane.close();
  }

  private MtlsHttpServer server(String name, TestPki.Leaf identity) {
    MtlsHttpServer server = MtlsHttpServer.start(name, identity, root.certificate());
    closeables.add(server);
    return server;
  }

  private void startMesh(String refreshInterval) {
    mesh = Mesh.builder()
        .bootstrapJson(TlsResources.withFileWatcher(controlPlane.bootstrapJson(), "default", certs, refreshInterval))
        .listenerWait(WAIT)
        .build();
    client = mesh.okHttp(new OkHttpClient.Builder()).build();
  }

  private void serve(String version, Cluster cluster, String... endpoints) {
    controlPlane.setSnapshot(version, List.of(apiListener(TARGET, "routes")),
        List.of(routeConfig("routes", TARGET, cluster.getName())), List.of(cluster),
        List.of(cla(cluster.getName(), endpoints)));
  }

  private String call() throws IOException {
    try (Response response = client.newCall(new Request.Builder().url("http://" + TARGET + "/items").build())
        .execute()) {
      assertThat(response.code()).isEqualTo(200);
      return response.body().string();
    }
  }

  @Test
  void sendsMutualTlsToTheEndpointCheckingItsSpiffeIdAndSendingSni() throws IOException {
    MtlsHttpServer catalog = server("catalog", intermediate.leaf(NS + "catalog"));
    serve("1", TlsResources.tlsCluster("catalog",
        TlsResources.istioMtls("default", "catalog.shop.svc.cluster.local", NS + "catalog")),
        catalog.hostPort());
    startMesh("600s");

    assertThat(call()).isEqualTo("catalog");
    assertThat(catalog.lastClientSerial()).isNotNull();
    assertThat(catalog.lastSni()).isEqualTo("catalog.shop.svc.cluster.local");
  }

  @Test
  void refusesAPeerWithAnotherSpiffeIdNamingTheCheck() {
    MtlsHttpServer impostor = server("impostor", intermediate.leaf(NS + "impostor"));
    serve("1", TlsResources.tlsCluster("catalog", TlsResources.istioMtls("default", "", NS + "catalog")),
        impostor.hostPort());
    startMesh("600s");

    assertThatThrownBy(this::call).isInstanceOfSatisfying(MeshTlsHandshakeException.class, e -> {
      assertThat(e.failedCheck()).isEqualTo("SAN_MISMATCH");
      assertThat(e.reason()).isEqualTo(MeshRoutingException.Reason.TLS_HANDSHAKE);
      assertThat(e.getMessage()).contains(NS + "impostor").contains(NS + "catalog").contains("503 UF");
    });
    assertThat(impostor.clientSerials()).isEmpty();
  }

  @Test
  void refusesExpiredNotYetValidUnknownCaAndUriLessPeers() {
    TestPki.Ca otherRoot = TestPki.root("root-other");
    assertRefused(intermediate.leaf().spiffe(NS + "catalog").expired().issue(), "EXPIRED");
    assertRefused(intermediate.leaf().spiffe(NS + "catalog").notYetValid().issue(), "NOT_YET_VALID");
    assertRefused(otherRoot.leaf(NS + "catalog"), "UNKNOWN_CA");
    assertRefused(intermediate.leaf().dns("catalog.shop.svc").issue(), "NO_URI_SAN");
  }

  private int version;

  private void assertRefused(TestPki.Leaf serverIdentity, String check) {
    MtlsHttpServer bad = server("bad", serverIdentity);
    serve(String.valueOf(++version),
        TlsResources.tlsCluster("catalog", TlsResources.istioMtls("default", "", NS + "catalog")), bad.hostPort());
    if (mesh == null) {
      startMesh("600s");
    }
    await().atMost(WAIT).untilAsserted(() -> assertThatThrownBy(this::call)
        .isInstanceOfSatisfying(MeshTlsHandshakeException.class, e -> {
          assertThat(e.getMessage()).contains(":" + bad.port());
          assertThat(e.failedCheck()).as(e.getMessage()).isEqualTo(check);
        }));
    assertThat(bad.clientSerials()).isEmpty();
  }

  @Test
  void aServerThatDoesNotTrustOurCertificateRefusesTheHandshake() {
    TestPki.Ca otherRoot = TestPki.root("root-other");
    MtlsHttpServer strict = MtlsHttpServer.start("strict", intermediate.leaf(NS + "catalog"), otherRoot.certificate());
    closeables.add(strict);
    serve("1", TlsResources.tlsCluster("catalog", TlsResources.istioMtls("default", "", NS + "catalog")),
        strict.hostPort());
    startMesh("600s");

    // Under TLS 1.2 the JDK client may see the refusal as a broken pipe while it still writes its Finished
    // message, so the failure is not always typed; it must fail, and the server must have served nothing.
    assertThatThrownBy(this::call).isInstanceOf(IOException.class);
    assertThat(strict.clientSerials()).isEmpty();
  }

  /**
   * A refused certificate costs one handshake per mesh attempt, as in Envoy: OkHttp's own connection retries (retry
   * on connection failure, route and TLS fallbacks) do not run under the mesh's attempt. Counted at the TCP level
   * in front of a real TLS server: every connection is one handshake.
   */
  @Test
  void aPeerWithAnotherSpiffeIdCostsOneHandshakePerCall() {
    MtlsHttpServer impostor = server("impostor", intermediate.leaf(NS + "impostor"));
    assertOneHandshakePerCall(impostor, IOException.class);
  }

  /** The same when the server refuses our certificate (under TLS 1.3 seen at the first read, after the handshake). */
  @Test
  void aServerRefusingOurCertificateCostsOneHandshakePerCall() {
    MtlsHttpServer strict = MtlsHttpServer.start("strict", intermediate.leaf(NS + "catalog"),
        TestPki.root("root-other").certificate());
    closeables.add(strict);
    assertOneHandshakePerCall(strict, IOException.class);
  }

  /** Under TLS 1.2 the refusal may reach the client as a broken pipe, which OkHttp alone would try again. */
  @Test
  void aServerRefusingOurCertificateOverTls12CostsOneHandshakePerCall() {
    MtlsHttpServer strict = MtlsHttpServer.start("strict", intermediate.leaf(NS + "catalog"),
        TestPki.root("root-other").certificate());
    closeables.add(strict);
    tls12 = true;
    assertOneHandshakePerCall(strict, IOException.class);
  }

  private boolean tls12;

  private void assertOneHandshakePerCall(MtlsHttpServer upstream, Class<? extends Throwable> failure) {
    ConnectionCountingProxy proxy = ConnectionCountingProxy.to(upstream.port());
    closeables.add(proxy);
    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext context =
        TlsResources.istioMtls("default", "", NS + "catalog");
    if (tls12) {
      context = context.toBuilder().setCommonTlsContext(context.getCommonTlsContext().toBuilder().setTlsParams(
          io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.newBuilder()
              .setTlsMaximumProtocolVersion(
                  io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.TlsProtocol.TLSv1_2)))
          .build();
    }
    serve("1", TlsResources.tlsCluster("catalog", context), proxy.hostPort());
    startMesh("600s");
    for (int i = 1; i <= 3; i++) {
      assertThatThrownBy(this::call).isInstanceOf(failure);
      assertThat(proxy.connections()).isEqualTo(i);
    }
    assertThat(upstream.clientSerials()).isEmpty();
  }

  @Test
  void rotatingTheFilesUnderLoadFailsNoRequestAndNewConnectionsPresentTheNewCertificate() throws Exception {
    MtlsHttpServer catalog = server("catalog", intermediate.leaf(NS + "catalog"));
    serve("1", TlsResources.tlsCluster("catalog", TlsResources.istioMtls("default", "", NS + "catalog")),
        catalog.hostPort());
    startMesh(WorkloadCertificateRotations.REFRESH_INTERVAL);
    assertThat(call()).isEqualTo("catalog");

    List<String> issued;
    PacedLoad load = PacedLoad.start("okhttp", WorkloadCertificateRotations.RATE, this::call);
    try {
      // New connections (idle pooled ones evicted) must present the new certificate.
      issued = WorkloadCertificateRotations.rotate(intermediate, NS + "frontend", root.certificate(), certs,
          catalog::clientSerials, () -> {
            client.connectionPool().evictAll();
            callUnchecked();
          });
    } finally {
      load.close();
    }
    long refused = ((MeshRuntime) mesh).security().provider("default").failures();
    WorkloadCertificateRotations.report("OkHttp", load, issued, refused);
    assertThat(load.failures()).as("no request may fail during rotation").isEmpty();
    assertThat(load.count("catalog")).isPositive();
    assertThat(catalog.clientSerials()).containsAll(issued);
    assertThat(refused).isPositive();
  }

  private void callUnchecked() {
    try {
      call();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void clustersSharingAnIdentityShareConnections() throws IOException {
    MtlsHttpServer catalog = server("catalog", intermediate.leaf(NS + "catalog"));
    Cluster a = TlsResources.tlsCluster("a", TlsResources.istioMtls("default", "", NS + "catalog"));
    Cluster b = TlsResources.tlsCluster("b", TlsResources.istioMtls("default", "", NS + "catalog"));
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("routes")
        .addVirtualHosts(io.envoyproxy.envoy.config.route.v3.VirtualHost.newBuilder().setName("v").addDomains(TARGET)
            .addRoutes(io.envoyproxy.envoy.config.route.v3.Route.newBuilder()
                .setMatch(io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder().setPrefix("/a"))
                .setRoute(io.envoyproxy.envoy.config.route.v3.RouteAction.newBuilder().setCluster("a")))
            .addRoutes(io.envoyproxy.envoy.config.route.v3.Route.newBuilder()
                .setMatch(io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder().setPrefix("/b"))
                .setRoute(io.envoyproxy.envoy.config.route.v3.RouteAction.newBuilder().setCluster("b"))))
        .build();
    List<Listener> listeners = List.of(apiListener(TARGET, "routes"));
    List<ClusterLoadAssignment> clas = List.of(cla("a", catalog.hostPort()), cla("b", catalog.hostPort()));
    controlPlane.setSnapshot("1", listeners, List.of(routes), List.of(a, b), clas);
    startMesh("600s");

    for (String path : List.of("/a", "/b", "/a", "/b")) {
      try (Response r = client.newCall(new Request.Builder().url("http://" + TARGET + path).build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
        r.body().string();
      }
    }
    assertThat(client.connectionPool().connectionCount()).isEqualTo(1);
  }
}

package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mesh mTLS to a server that offers HTTP/2 through ALPN negotiates HTTP/2 (OkHttp's own server, no mesh code). */
class MtlsHttp2IntegrationTest {
  private static final String NS = "spiffe://cluster.local/ns/shop/sa/";
  private static final String TARGET = "catalog.mesh:8080";

  @TempDir Path certs;
  private final TestPki.Ca root = TestPki.root("root-a");
  private final TestPki.Leaf frontend = root.leaf(NS + "frontend");
  private LoopbackControlPlane controlPlane;
  private MockWebServer server;
  private Mesh mesh;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    frontend.writeIstioFiles(certs, root.certificate());
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    if (server != null) {
      server.close();
    }
    controlPlane.close();
  }

  private void startServer(List<Protocol> protocols) throws Exception {
    TestPki.Leaf identity = root.leaf(NS + "catalog");
    HandshakeCertificates serverCertificates = new HandshakeCertificates.Builder()
        .heldCertificate(new HeldCertificate(identity.keys(), identity.certificate()))
        .addTrustedCertificate(root.certificate())
        .build();
    server = new MockWebServer();
    server.useHttps(serverCertificates.sslSocketFactory());
    server.requireClientAuth();
    server.setProtocols(protocols);
    server.enqueue(new MockResponse.Builder().body("catalog").build());
    server.start(InetAddress.getLoopbackAddress(), 0);
    Cluster cluster = TlsResources.tlsCluster("catalog", TlsResources.istioMtls("default", "", NS + "catalog"));
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "routes")),
        List.of(routeConfig("routes", TARGET, "catalog")), List.of(cluster),
        List.of(cla("catalog", "127.0.0.1:" + server.getPort())));
    mesh = Mesh.builder()
        .bootstrapJson(TlsResources.withFileWatcher(controlPlane.bootstrapJson(), "default", certs, "600s"))
        .listenerWait(Duration.ofSeconds(10))
        .build();
  }

  private Response call() throws Exception {
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();
    return client.newCall(new Request.Builder().url("http://" + TARGET + "/items").build()).execute();
  }

  @Test
  void negotiatesHttp2OverMutualTlsWhenTheServerOffersIt() throws Exception {
    startServer(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
    try (Response response = call()) {
      assertThat(response.body().string()).isEqualTo("catalog");
      assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
      assertThat(response.handshake().localCertificates()).containsExactly(frontend.certificate());
    }
    RecordedRequest recorded = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(recorded.getHandshake().peerCertificates()).first().isEqualTo(frontend.certificate());
  }

  @Test
  void staysOnHttp11WhenTheServerOffersOnlyThat() throws Exception {
    startServer(List.of(Protocol.HTTP_1_1));
    try (Response response = call()) {
      assertThat(response.protocol()).isEqualTo(Protocol.HTTP_1_1);
    }
  }
}

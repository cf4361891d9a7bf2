package io.mesh4j.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mesh4j.runtime.testing.HandBuiltInbound;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import io.mesh4j.spring.MeshBuilderCustomizer;
import io.mesh4j.spring.inbound.MeshInboundWebFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * STRICT mTLS on a WebFlux application's own Reactor Netty: {@code server.ssl.bundle=mesh} gives Netty the workload
 * certificate of the bootstrap's {@code file_watcher} provider, the server listener of {@code classpath:inbound-strict}
 * requires a client certificate and lets only the frontend's identity call. When the files are rewritten, a new
 * handshake sees the new certificate, with no restart.
 */
@SpringBootTest(
    classes = {ReactiveInboundTestApplication.class, MeshSslBundleWebFluxSpringBootTest.WorkloadCertificates.class},
    webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
    properties = {"mesh.inbound.enabled=true", "server.ssl.bundle=mesh", "server.ssl.client-auth=want",
        "spring.main.web-application-type=reactive"})
@MeshControlPlane(config = "classpath:inbound-strict")
class MeshSslBundleWebFluxSpringBootTest {
  private static final String NS = "spiffe://cluster.local/ns/shop/sa/";
  private static final String HOST = "catalog.shop.svc";
  private static final int PORT = HandBuiltInbound.freePort();
  private static final TestPki.Ca ROOT = TestPki.root("mesh-root");
  private static final TestPki.Leaf FIRST = ROOT.leaf().spiffe(NS + "catalog").dns(HOST).issue();
  private static final TestPki.Leaf FRONTEND = ROOT.leaf().spiffe(NS + "frontend").issue();
  private static final TestPki.Leaf STRANGER = ROOT.leaf().spiffe(NS + "stranger").issue();
  private static final Path CERTS = certificateDirectory();

  @Autowired
  MeshInboundWebFilter filter;

  @DynamicPropertySource
  static void serverPort(DynamicPropertyRegistry registry) {
    registry.add("server.port", () -> PORT);
  }

  @BeforeAll
  static void nameThePort() {
    System.setProperty("mesh-test.strict.port", Integer.toString(PORT));
  }

  @AfterAll
  static void clear() {
    System.clearProperty("mesh-test.strict.port");
  }

  @BeforeEach
  void listenerArrived() throws Exception {
    filter.ready().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void theFrontendIsServedWithItsIdentity() throws IOException {
    assertThat(get(FRONTEND, "/catalog", 200)).isEqualTo("catalog peer=" + NS + "frontend");
  }

  @Test
  void theListenersRbacRefusesOtherPeersAndPaths() throws IOException {
    assertThat(get(STRANGER, "/catalog", 403)).isEqualTo("RBAC: access denied");
    assertThat(get(FRONTEND, "/admin", 403)).isEqualTo("RBAC: access denied");
  }

  @Test
  void aCallerWithoutClientCertificateIsRefused() throws IOException {
    assertThat(get(null, "/catalog", 403)).contains("requires a client certificate");
  }

  @Test
  void aNewHandshakeSeesTheRotatedCertificate() throws IOException {
    assertThat(servedCertificate()).isEqualTo(FIRST.certificate().getSerialNumber());
    TestPki.Leaf rotated = ROOT.leaf().spiffe(NS + "catalog").dns(HOST).issue();

    rotated.writeIstioFiles(CERTS, ROOT.certificate());

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(MeshSslBundleWebFluxSpringBootTest::servedCertificate, rotated.certificate().getSerialNumber()::equals);
    assertThat(get(FRONTEND, "/catalog", 200)).isEqualTo("catalog peer=" + NS + "frontend");
  }

  /** The serial number of the certificate a fresh handshake (new context, no session to resume) is shown. */
  private static BigInteger servedCertificate() throws IOException {
    SSLContext context = HandBuiltInbound.clientContext(FRONTEND, ROOT.certificate());
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", PORT)) {
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private static String get(TestPki.Leaf identity, String path, int status) throws IOException {
    SSLContext context = HandBuiltInbound.clientContext(identity, ROOT.certificate());
    X509TrustManager trust = (X509TrustManager) HandBuiltInbound.trustManagers(ROOT.certificate())
        .getTrustManagers()[0];
    OkHttpClient client = new OkHttpClient.Builder()
        .dns(host -> List.of(InetAddress.getLoopbackAddress()))
        .sslSocketFactory(context.getSocketFactory(), trust)
        .readTimeout(Duration.ofSeconds(60))
        .build();
    try (Response response = client.newCall(new Request.Builder().url("https://" + HOST + ":" + PORT + path).build())
        .execute()) {
      assertThat(response.code()).as(path).isEqualTo(status);
      return response.body().string();
    }
  }

  private static Path certificateDirectory() {
    try {
      Path dir = Files.createTempDirectory("mesh4j-ssl-bundle-webflux-test");
      FIRST.writeIstioFiles(dir, ROOT.certificate());
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bootstrap @MeshControlPlane sets, with the file_watcher instance "default" over the test's files. */
  @TestConfiguration(proxyBeanMethods = false)
  static class WorkloadCertificates {
    @Bean
    MeshBuilderCustomizer workloadCertificates(Environment environment) {
      return builder -> builder.bootstrapJson(TlsResources.withFileWatcher(
          environment.getRequiredProperty("mesh.bootstrap-json"), "default", CERTS, "0.2s"));
    }
  }
}

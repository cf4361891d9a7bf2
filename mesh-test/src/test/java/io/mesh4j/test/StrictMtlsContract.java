package io.mesh4j.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mesh4j.runtime.testing.FreePorts;
import io.mesh4j.runtime.testing.HandBuiltInbound;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import io.mesh4j.spring.MeshBuilderCustomizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * What STRICT mTLS through the {@code mesh} SSL bundle promises on any of Boot's web servers: the web server presents
 * the workload certificate of the bootstrap's {@code file_watcher} provider, the server listener of
 * {@code classpath:inbound-strict} requires a client certificate and lets only the frontend's identity call, and when
 * the files are rewritten a new handshake sees the new certificate, with no restart. Each web server's test extends
 * this with its own {@link Workload} (a port and certificate files of its own, as their Spring contexts stay cached
 * side by side).
 */
abstract class StrictMtlsContract {
  static final String NS = "spiffe://cluster.local/ns/shop/sa/";
  static final String HOST = "catalog.shop.svc";
  static final String PORT_PROPERTY = "mesh-test.strict.port";

  /** The workload under test: its port, its mesh root and certificates, the files its provider watches. */
  static final class Workload {
    final int port = FreePorts.next();
    final TestPki.Ca root = TestPki.root("mesh-root");
    final TestPki.Leaf first = root.leaf().spiffe(NS + "catalog").dns(HOST).issue();
    final TestPki.Leaf frontend = root.leaf().spiffe(NS + "frontend").issue();
    final TestPki.Leaf stranger = root.leaf().spiffe(NS + "stranger").issue();
    final Path certificates;

    Workload(String directoryPrefix) {
      try {
        certificates = Files.createTempDirectory(directoryPrefix);
        first.writeIstioFiles(certificates, root.certificate());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The web server's port ({@code @DynamicPropertySource}). */
    void serverPort(DynamicPropertyRegistry registry) {
      registry.add("server.port", () -> port);
    }

    /** Names the port in the control plane's files ({@code @BeforeAll}, before the context loads). */
    void nameThePort() {
      System.setProperty(PORT_PROPERTY, Integer.toString(port));
    }

    /** The bootstrap @MeshControlPlane sets, with the file_watcher instance "default" over the workload's files. */
    MeshBuilderCustomizer workloadCertificates(Environment environment) {
      return builder -> builder.bootstrapJson(TlsResources.withFileWatcher(
          environment.getRequiredProperty("mesh.bootstrap-json"), "default", certificates, "0.2s"));
    }
  }

  abstract Workload workload();

  /** Completes when the starter's filter has its port's server listener. */
  abstract CompletionStage<Void> listenerReady();

  @BeforeEach
  void listenerArrived() throws Exception {
    listenerReady().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void theFrontendIsServedWithItsIdentity() throws IOException {
    assertThat(get(workload().frontend, "/catalog", 200)).isEqualTo("catalog peer=" + NS + "frontend");
  }

  @Test
  void theListenersRbacRefusesOtherPeersAndPaths() throws IOException {
    assertThat(get(workload().stranger, "/catalog", 403)).isEqualTo("RBAC: access denied");
    assertThat(get(workload().frontend, "/admin", 403)).isEqualTo("RBAC: access denied");
  }

  @Test
  void aCallerWithoutClientCertificateIsRefused() throws IOException {
    assertThat(get(null, "/catalog", 403)).contains("requires a client certificate");
  }

  @Test
  void aNewHandshakeSeesTheRotatedCertificate() throws IOException {
    Workload workload = workload();
    assertThat(servedCertificate()).isEqualTo(workload.first.certificate().getSerialNumber());
    TestPki.Leaf rotated = workload.root.leaf().spiffe(NS + "catalog").dns(HOST).issue();

    rotated.writeIstioFiles(workload.certificates, workload.root.certificate());

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(this::servedCertificate, rotated.certificate().getSerialNumber()::equals);
    assertThat(get(workload.frontend, "/catalog", 200)).isEqualTo("catalog peer=" + NS + "frontend");
  }

  /** The serial number of the certificate a fresh handshake (new context, no session to resume) is shown. */
  private BigInteger servedCertificate() throws IOException {
    Workload workload = workload();
    SSLContext context = HandBuiltInbound.clientContext(workload.frontend, workload.root.certificate());
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", workload.port)) {
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private String get(TestPki.Leaf identity, String path, int status) throws IOException {
    Workload workload = workload();
    SSLContext context = HandBuiltInbound.clientContext(identity, workload.root.certificate());
    X509TrustManager trust = (X509TrustManager) HandBuiltInbound.trustManagers(workload.root.certificate())
        .getTrustManagers()[0];
    OkHttpClient client = new OkHttpClient.Builder()
        .dns(host -> List.of(InetAddress.getLoopbackAddress()))
        .sslSocketFactory(context.getSocketFactory(), trust)
        .readTimeout(Duration.ofSeconds(60))
        .build();
    try (Response response = client.newCall(
        new Request.Builder().url("https://" + HOST + ":" + workload.port + path).build()).execute()) {
      assertThat(response.code()).as(path).isEqualTo(status);
      return response.body().string();
    }
  }
}

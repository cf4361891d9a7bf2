package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.mesh4j.Mesh;
import io.mesh4j.MeshConfigurationException;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.LoopbackIstioCa;
import io.mesh4j.runtime.testing.MtlsHttpServer;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mesh's workload certificate from Istio's CA API ({@code istio_ca} provider against a loopback CA): mTLS
 * calls with it, rotation under load, and the same certificate served by {@link Mesh#serverSslContext}.
 */
class IstioCaMtlsIntegrationTest {
  private static final String NS = "spiffe://cluster.local/ns/shop/sa/";
  private static final String TARGET = "catalog.mesh:8080";
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final TestPki.Ca root = TestPki.root("istio-ca");
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private LoopbackControlPlane controlPlane;
  private LoopbackIstioCa ca;
  private Path rootFile;
  private Path tokenFile;
  private Mesh mesh;
  private OkHttpClient client;

  @BeforeEach
  void start() throws IOException {
    controlPlane = LoopbackControlPlane.start();
    ca = LoopbackIstioCa.start(root, "sa-token");
    rootFile = dir.resolve("root-cert.pem");
    Files.writeString(rootFile, TestPki.pem(root.certificate()));
    tokenFile = dir.resolve("istio-token");
    Files.writeString(tokenFile, "sa-token");
  }

  @AfterEach
  void stop() throws Exception {
    if (mesh != null) {
      mesh.close();
    }
    for (AutoCloseable c : closeables) {
      c.close();
    }
    ca.close();
    controlPlane.close();
  }

  private void startMesh(String validity, double fraction) {
    mesh = Mesh.builder()
        .bootstrapJson(TlsResources.withIstioCa(controlPlane.bootstrapJson(), "default", ca, rootFile, tokenFile,
            NS + "frontend", validity, fraction))
        .listenerWait(WAIT)
        .build();
    client = mesh.okHttp(new OkHttpClient.Builder()).build();
  }

  private MtlsHttpServer catalogServer() {
    MtlsHttpServer server = MtlsHttpServer.start("catalog", root.leaf(NS + "catalog"), root.certificate());
    closeables.add(server);
    Cluster cluster = TlsResources.tlsCluster("catalog", TlsResources.istioMtls("default", "", NS + "catalog"));
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "routes")),
        List.of(routeConfig("routes", TARGET, "catalog")), List.of(cluster), List.of(cla("catalog", server.hostPort())));
    return server;
  }

  private String call() throws IOException {
    try (Response response = client.newCall(new Request.Builder().url("http://" + TARGET + "/items").build())
        .execute()) {
      assertThat(response.code()).isEqualTo(200);
      return response.body().string();
    }
  }

  private Set<String> issuedSerials() {
    return ca.issued().stream().map(LoopbackIstioCa.Issued::serial).collect(Collectors.toSet());
  }

  @Test
  void callsPresentTheCertificateTheCaIssuedForTheBearerToken() throws IOException {
    MtlsHttpServer catalog = catalogServer();
    startMesh("3600s", 0.5);
    assertThat(call()).isEqualTo("catalog");
    assertThat(ca.issued()).singleElement().satisfies(i -> {
      assertThat(i.auth()).isEqualTo(LoopbackIstioCa.Auth.TOKEN);
      assertThat(i.identity()).isEqualTo(NS + "frontend");
    });
    assertThat(catalog.clientSerials()).containsExactlyElementsOf(issuedSerials());
  }

  @Test
  void renewalsUnderLoadFailNoRequestAndNewConnectionsPresentTheRenewedCertificate() throws Exception {
    MtlsHttpServer catalog = catalogServer();
    // 2 s certificates renewed half-way: a new one about every second.
    startMesh("2s", 0.5);
    assertThat(call()).isEqualTo("catalog");

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> load = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      Thread thread = new Thread(() -> {
        while (running.get()) {
          try {
            call();
            ok.incrementAndGet();
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }
      });
      thread.start();
      load.add(thread);
    }
    try {
      // Three renewals, each seen on a fresh connection (idle pooled ones evicted) before the next.
      for (int renewal = 1; renewal <= 3; renewal++) {
        int wanted = renewal + 1;
        await().atMost(WAIT).until(() -> ca.issued().size() >= wanted);
        String serial = ca.issued().get(wanted - 1).serial();
        await().atMost(WAIT).untilAsserted(() -> {
          client.connectionPool().evictAll();
          call();
          assertThat(catalog.clientSerials()).contains(serial);
        });
      }
    } finally {
      running.set(false);
      for (Thread thread : load) {
        thread.join();
      }
    }
    assertThat(failure.get()).as("no request may fail during rotation").isNull();
    assertThat(ok.get()).isPositive();
    assertThat(ca.issued().subList(1, ca.issued().size()))
        .allSatisfy(i -> assertThat(i.auth()).isEqualTo(LoopbackIstioCa.Auth.CLIENT_CERTIFICATE));
    assertThat(issuedSerials()).containsAll(catalog.clientSerials());
  }

  @Test
  void aCaDownAtStartIsNamedWhenACallNeedsTheCertificate() {
    catalogServer();
    ca.down();
    mesh = Mesh.builder()
        .bootstrapJson(TlsResources.withIstioCa(controlPlane.bootstrapJson(), "default", ca, rootFile, tokenFile,
            NS + "frontend", "3600s", 0.5))
        .listenerWait(Duration.ofSeconds(1))
        .build();
    client = mesh.okHttp(new OkHttpClient.Builder()).build();
    assertThatThrownBy(this::call).isInstanceOf(IOException.class)
        .hasMessageContaining("istio_ca at " + ca.address())
        .hasMessageContaining("UNAVAILABLE");
  }

  @Test
  void aBootstrapWithABadIstioCaConfigFailsNamingTheField() {
    String bootstrap = TlsResources.withIstioCa(controlPlane.bootstrapJson(), "default", ca, rootFile, tokenFile,
        NS + "frontend", "3600s", 1.5);
    assertThatThrownBy(() -> Mesh.builder().bootstrapJson(bootstrap).build())
        .isInstanceOf(MeshConfigurationException.class)
        .hasMessageContaining("certificate_providers.default.config.rotation_fraction");
  }

  @Test
  void theServerContextPresentsEachRenewedCertificateAndRequiresClientCertificates() throws Exception {
    startMesh("2s", 0.5);
    await().atMost(WAIT).until(() -> ((MeshRuntime) mesh).security().provider("default").ready().isDone());
    SSLContext serverContext = mesh.serverSslContext("default");
    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setHttpsConfigurator(new HttpsConfigurator(serverContext) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters ssl = serverContext.getDefaultSSLParameters();
        ssl.setNeedClientAuth(true);
        params.setSSLParameters(ssl);
      }
    });
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(200, 2);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write("ok".getBytes());
      }
    });
    server.start();
    closeables.add(() -> server.stop(0));
    String url = "https://localhost:" + server.getAddress().getPort() + "/";

    SSLContext withCert = clientContext(root.leaf(NS + "caller"));
    Set<String> serverSerials = ConcurrentHashMap.newKeySet();
    // A new connection and a full handshake per request (no keep-alive, the TLS session dropped so it cannot be
    // resumed with the old certificate) for about three renewals: every one must succeed.
    long until = System.nanoTime() + Duration.ofMillis(3500).toNanos();
    long giveUp = System.nanoTime() + WAIT.toNanos();
    int requests = 0;
    while (System.nanoTime() < until || serverSerials.size() < 3) {
      assertThat(System.nanoTime()).as("server certificate did not rotate: " + serverSerials).isLessThan(giveUp);
      HttpsURLConnection connection = (HttpsURLConnection) new java.net.URL(url).openConnection();
      connection.setSSLSocketFactory(withCert.getSocketFactory());
      connection.setHostnameVerifier((host, session) -> true);
      connection.setRequestProperty("Connection", "close");
      assertThat(connection.getResponseCode()).isEqualTo(200);
      connection.getInputStream().readAllBytes();
      serverSerials.add(((X509Certificate) connection.getServerCertificates()[0]).getSerialNumber().toString(16));
      connection.getSSLSession().ifPresent(javax.net.ssl.SSLSession::invalidate);
      connection.disconnect();
      requests++;
      Thread.sleep(20);
    }
    assertThat(serverSerials).hasSizeGreaterThanOrEqualTo(3);
    assertThat(issuedSerials()).containsAll(serverSerials);

    // Without a client certificate the handshake is refused.
    HttpsURLConnection anonymous = (HttpsURLConnection) new java.net.URL(url).openConnection();
    anonymous.setSSLSocketFactory(clientContext(null).getSocketFactory());
    anonymous.setHostnameVerifier((host, session) -> true);
    assertThatThrownBy(anonymous::getResponseCode).isInstanceOf(IOException.class);
  }

  private SSLContext clientContext(TestPki.Leaf identity) throws Exception {
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
  }
}

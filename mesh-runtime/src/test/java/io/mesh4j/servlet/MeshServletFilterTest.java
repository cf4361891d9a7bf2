package io.mesh4j.servlet;

import static io.mesh4j.runtime.testing.HandBuiltInbound.chain;
import static io.mesh4j.runtime.testing.HandBuiltInbound.serverTls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mesh4j.MeshJwt;
import io.mesh4j.MeshPeer;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.metrics.InboundMetrics;
import io.mesh4j.runtime.testing.DestinationMeters;
import io.mesh4j.runtime.testing.HandBuiltInbound;
import io.mesh4j.runtime.testing.TestPki;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import io.mesh4j.runtime.metrics.InboundMetrics;
import io.mesh4j.runtime.testing.DestinationMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MeshServletFilter} in a real embedded Tomcat with a plaintext and a mutual-TLS connector (client certificates
 * wanted): the chain is chosen per request, the client certificate comes from the container, the chain's replies and
 * header edits reach the client and the servlet.
 */
class MeshServletFilterTest {
  private static final String CLIENT_ID = "spiffe://cluster.local/ns/shop/sa/cart";
  private static final String HOST = "catalog.shop.svc";
  private static final TestPki.Ca CA = TestPki.root("mesh-ca");
  private static final TestPki.Leaf SERVER = CA.leaf().dns(HOST).issue();
  private static final TestPki.Leaf CLIENT = CA.leaf().spiffe(CLIENT_ID).issue();

  @TempDir
  Path baseDir;

  private Tomcat tomcat;
  private Connector plain;
  private Connector tls;
  private InboundMetrics metrics;

  @AfterEach
  void stop() throws Exception {
    if (tomcat != null) {
      tomcat.stop();
      tomcat.destroy();
    }
  }

  @Test
  void aMutualTlsRequestCarriesThePeerAndTheChainSeesIt() throws Exception {
    HandBuiltInbound.Chain mtls = chain("mtls", serverTls(SERVER, true, CA.root()));
    HandBuiltInbound.Port port = HandBuiltInbound.port(HandBuiltInbound.freePort()).serveStrict(mtls);
    start(port);

    assertThat(get(tlsClient(CLIENT), "https", tls, "/who?a=1", 200)).isEqualTo("peer=" + CLIENT_ID + " x=null");

    assertThat(port.connections()).singleElement().satisfies(facts -> {
      assertThat(facts.transportProtocol()).isEqualTo("tls");
      assertThat(facts.localAddress().getPort()).isEqualTo(tls.getLocalPort());
    });
    assertThat(mtls.seen()).singleElement().satisfies(seen -> {
      assertThat(seen.principal()).isEqualTo(CLIENT_ID);
      assertThat(seen.path()).isEqualTo("/who?a=1");
      assertThat(seen.scheme()).isEqualTo("https");
      assertThat(seen.method()).isEqualTo("GET");
      assertThat(seen.authority()).isEqualTo(HOST + ":" + tls.getLocalPort());
    });
  }

  @Test
  void strictRefusesPlaintextAndRequestsWithoutClientCertificate() throws Exception {
    HandBuiltInbound.Chain mtls = chain("mtls", serverTls(SERVER, true, CA.root()));
    start(HandBuiltInbound.port(HandBuiltInbound.freePort()).serveStrict(mtls));

    assertThat(get(plainClient(), "http", plain, "/", 403)).contains("no filter chain");
    assertThat(get(tlsClient(null), "https", tls, "/", 403)).contains("requires a client certificate");
    assertThat(mtls.seen()).isEmpty();
  }

  @Test
  void permissiveServesBothConnectors() throws Exception {
    HandBuiltInbound.Chain mtls = chain("mtls", serverTls(SERVER, true, CA.root()));
    HandBuiltInbound.Chain plaintext = chain("plaintext", null);
    start(HandBuiltInbound.port(HandBuiltInbound.freePort()).servePermissive(mtls, plaintext));

    assertThat(get(plainClient(), "http", plain, "/", 200)).isEqualTo("peer=none x=null");
    assertThat(get(tlsClient(CLIENT), "https", tls, "/", 200)).isEqualTo("peer=" + CLIENT_ID + " x=null");
    assertThat(plaintext.seen()).singleElement().satisfies(seen -> assertThat(seen.scheme()).isEqualTo("http"));
  }

  @Test
  void theChainsReplyAndHeaderEditsReachTheClientAndTheServlet() throws Exception {
    HandBuiltInbound.Chain policy = chain("policy", null, request -> {
      if ("deny".equals(request.header("x-test"))) {
        return new InboundReply(403, "RBAC: access denied", Map.of("x-denied-by", "mesh"), "deny-policy");
      }
      request.headers().set("x-from-mesh", "yes");
      return null;
    });
    start(HandBuiltInbound.port(HandBuiltInbound.freePort()).serve(policy));
    OkHttpClient client = plainClient();

    try (Response denied = client.newCall(new Request.Builder().url(url("http", plain, "/"))
        .header("x-test", "deny").build()).execute()) {
      assertThat(denied.code()).isEqualTo(403);
      assertThat(denied.header("x-denied-by")).isEqualTo("mesh");
      assertThat(denied.body().string()).isEqualTo("RBAC: access denied");
    }
    try (Response allowed = client.newCall(new Request.Builder().url(url("http", plain, "/"))
        .addHeader("x-test", "a").addHeader("x-test", "b").build()).execute()) {
      assertThat(allowed.body().string()).isEqualTo("peer=none x=yes");
    }
    assertThat(policy.seen()).extracting(HandBuiltInbound.Chain.Seen::header).containsExactly("deny", "a,b");
  }

  @Test
  void aTokenTheChainVerifiedIsARequestAttribute() throws Exception {
    MeshJwt verified = new MeshJwt("https://issuer.example", "partner-a", List.of("aud"), Map.of("sub", "partner-a"));
    HandBuiltInbound.Chain jwtAuthn = chain("jwt", null, request -> {
      if ("token".equals(request.header("x-test"))) {
        request.dynamicMetadata().verifiedJwt(verified);
      }
      return null;
    });
    start(HandBuiltInbound.port(HandBuiltInbound.freePort()).serve(jwtAuthn));
    OkHttpClient client = plainClient();

    try (Response response = client.newCall(new Request.Builder().url(url("http", plain, "/"))
        .header("x-test", "token").build()).execute()) {
      assertThat(response.body().string()).isEqualTo("peer=none x=null jwt=https://issuer.example/partner-a");
    }
    assertThat(get(client, "http", plain, "/", 200)).isEqualTo("peer=none x=null");
  }

  @Test
  void answers503UntilTheListenerArrives() throws Exception {
    HandBuiltInbound.Port port = HandBuiltInbound.port(HandBuiltInbound.freePort());
    start(port);

    assertThat(get(plainClient(), "http", plain, "/", 503)).contains("has not arrived");

    port.serve(chain("plaintext", null));
    assertThat(get(plainClient(), "http", plain, "/", 200)).isEqualTo("peer=none x=null");
  }

  @Test
  void servedRequestsAndLocalRepliesAreRecordedAsTheDestination() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    metrics = DestinationMeters.into(registry);
    java.util.function.Function<io.mesh4j.runtime.inbound.InboundRequest, InboundReply> policy = request ->
        "deny".equals(request.header("x-test")) ? new InboundReply(403, "RBAC: access denied", Map.of(), "deny") : null;
    start(HandBuiltInbound.port(HandBuiltInbound.freePort()).servePermissive(
        chain("mtls", serverTls(SERVER, true, CA.root()), policy), chain("plaintext", null, policy)));

    get(tlsClient(CLIENT), "https", tls, "/", 200);
    get(plainClient(), "http", plain, "/", 200);
    try (Response denied = plainClient().newCall(new Request.Builder().url(url("http", plain, "/"))
        .header("x-test", "deny").build()).execute()) {
      assertThat(denied.code()).isEqualTo(403);
    }

    // Recorded when the filter returns, which may be after the client read the answer.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(DestinationMeters.requests(registry, "reporter", "destination",
          "source_principal", "cluster.local/ns/shop/sa/cart", "connection_security_policy", "mutual_tls",
          "request_protocol", "http", "response_code", "200", "destination_service", "catalog.shop.svc",
          "destination_workload", "catalog-v1")).isEqualTo(1.0);
      assertThat(DestinationMeters.requests(registry, "reporter", "destination", "source_principal", "unknown",
          "connection_security_policy", "none", "response_code", "200")).isEqualTo(1.0);
      assertThat(DestinationMeters.requests(registry, "reporter", "destination",
          "connection_security_policy", "none", "response_code", "403")).isEqualTo(1.0);
    });
  }

  /** Tomcat with the filter in front of a servlet that answers the request's peer attribute and x-from-mesh. */
  private void start(HandBuiltInbound.Port port) throws Exception {
    tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    plain = new Connector();
    plain.setPort(0);
    plain.setProperty("address", "127.0.0.1");
    tomcat.getService().addConnector(plain);
    tomcat.setConnector(plain);
    tls = new Connector();
    tls.setPort(0);
    tls.setProperty("address", "127.0.0.1");
    tls.setSecure(true);
    tls.setScheme("https");
    tls.setProperty("SSLEnabled", "true");
    SSLHostConfig host = new SSLHostConfig();
    host.setCertificateVerification("optional");
    host.setTrustStore(trustStore());
    SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.UNDEFINED);
    certificate.setCertificateKeystore(keyStore(SERVER));
    certificate.setCertificateKeystorePassword("changeit");
    certificate.setCertificateKeyAlias("server");
    host.addCertificate(certificate);
    tls.addSslHostConfig(host);
    tomcat.getService().addConnector(tls);

    Context context = tomcat.addContext("", baseDir.toString());
    Tomcat.addServlet(context, "who", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        MeshPeer peer = (MeshPeer) request.getAttribute(MeshPeer.REQUEST_ATTRIBUTE);
        MeshJwt jwt = (MeshJwt) request.getAttribute(MeshJwt.REQUEST_ATTRIBUTE);
        response.getWriter().write("peer=" + (peer == null ? "none" : peer.principalName())
            + " x=" + request.getHeader("x-from-mesh") + (jwt == null ? "" : " jwt=" + jwt.principal()));
      }
    });
    context.addServletMappingDecoded("/*", "who");
    FilterDef def = new FilterDef();
    def.setFilterName("mesh");
    def.setFilter(new MeshServletFilter(port, metrics));
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName("mesh");
    map.addURLPattern("/*");
    context.addFilterMap(map);
    tomcat.start();
  }

  private static KeyStore keyStore(TestPki.Leaf identity) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("server", identity.privateKey(), "changeit".toCharArray(),
        identity.chain().toArray(new Certificate[0]));
    return keys;
  }

  private static KeyStore trustStore() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("root", CA.root());
    return trust;
  }

  private static String url(String scheme, Connector connector, String path) {
    return scheme + "://" + HOST + ":" + connector.getLocalPort() + path;
  }

  private static String get(OkHttpClient client, String scheme, Connector connector, String path, int status)
      throws IOException {
    try (Response response = client.newCall(new Request.Builder().url(url(scheme, connector, path)).build())
        .execute()) {
      assertThat(response.code()).as(path).isEqualTo(status);
      return response.body().string();
    }
  }

  private static OkHttpClient.Builder base() {
    return new OkHttpClient.Builder()
        .dns(host -> List.of(InetAddress.getByName("127.0.0.1")))
        .retryOnConnectionFailure(false)
        .readTimeout(Duration.ofSeconds(60));
  }

  private static OkHttpClient plainClient() {
    return base().build();
  }

  private static OkHttpClient tlsClient(TestPki.Leaf identity) {
    SSLContext context = HandBuiltInbound.clientContext(identity, CA.root());
    X509TrustManager trust = (X509TrustManager) HandBuiltInbound.trustManagers(CA.root()).getTrustManagers()[0];
    return base().sslSocketFactory(context.getSocketFactory(), trust).build();
  }
}

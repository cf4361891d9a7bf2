package io.mesh4j.benchmarks;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.mesh4j.Mesh;
import io.mesh4j.samples.controlplane.LocalControlPlane;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.TlsVersion;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cost of mesh mTLS: the same OkHttp client calls a loopback HTTPS server that requires client certificates,
 * once with plain JSSE TLS configured by hand (no mesh) and once through the mesh (a {@code file_watcher} provider,
 * istiod's {@code UpstreamTlsContext} with a SPIFFE SAN check, rotating key and trust managers). Both present the
 * same certificate and trust the same root. Two modes: a new connection per request (handshake cost; the JDK
 * resumes TLS sessions alike for both) and pooled connections (steady state). Phases are interleaved so drift hits
 * both alike. Arguments: {@code [report.md] [seconds per phase] [rounds] [threads]}.
 */
public final class TlsLoadBenchmark {
  private static final String MESH_HOST = "catalog.shop.svc.cluster.local";
  private static final String CATALOG_ID = "spiffe://cluster.local/ns/shop/sa/catalog";
  private static final String FRONTEND_ID = "spiffe://cluster.local/ns/shop/sa/frontend";

  private static final javax.net.SocketFactory NO_DELAY = new javax.net.SocketFactory() {
    @Override
    public java.net.Socket createSocket() throws IOException {
      java.net.Socket socket = new java.net.Socket();
      socket.setTcpNoDelay(true);
      return socket;
    }

    @Override
    public java.net.Socket createSocket(String host, int port) throws IOException {
      throw new UnsupportedOperationException("OkHttp connects unconnected sockets");
    }

    @Override
    public java.net.Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
      throw new UnsupportedOperationException("OkHttp connects unconnected sockets");
    }

    @Override
    public java.net.Socket createSocket(InetAddress host, int port) throws IOException {
      throw new UnsupportedOperationException("OkHttp connects unconnected sockets");
    }

    @Override
    public java.net.Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
        throws IOException {
      throw new UnsupportedOperationException("OkHttp connects unconnected sockets");
    }
  };

  public static void main(String[] args) throws Exception {
    Path report = Path.of(args.length > 0 ? args[0] : "benchmarks/REPORT-tls.md");
    Duration phase = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 3);
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;

    Path dir = Files.createTempDirectory("mesh4j-tls-bench");
    KeyPair rootKeys = keys();
    X509Certificate root = sign("CN=bench-root", rootKeys, rootKeys, null, true, null);
    KeyPair serverKeys = keys();
    X509Certificate serverCert = sign("CN=catalog", serverKeys, rootKeys, root, false, CATALOG_ID);
    KeyPair clientKeys = keys();
    X509Certificate clientCert = sign("CN=frontend", clientKeys, rootKeys, root, false, FRONTEND_ID);
    Files.writeString(dir.resolve("cert-chain.pem"), pem(clientCert));
    Path keyFile = dir.resolve("key.pem");
    Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(keyFile, pem(new JcaPKCS8Generator(clientKeys.getPrivate(), null).generate()));
    Files.writeString(dir.resolve("root-cert.pem"), pem(root));

    ExecutorService serverThreads = Executors.newFixedThreadPool(4);
    HttpsServer server = startServer(sslContext(serverKeys, serverCert, root), serverThreads);
    int port = server.getAddress().getPort();
    Path configDir = Files.createDirectory(dir.resolve("xds"));
    writeConfig(configDir, port);
    try (LocalControlPlane controlPlane = LocalControlPlane.start(configDir, 0);
        Mesh mesh = Mesh.builder().bootstrapJson(withFileWatcher(controlPlane.bootstrapJson(), dir)).build()) {
      SSLContext plain = sslContext(clientKeys, clientCert, root);
      X509TrustManager trust = trustManager(root);
      // Plain JSSE: the client's own SSLContext, OkHttp's host name check (the server certificate names 127.0.0.1).
      // TCP_NODELAY on both: otherwise the handshake's small client writes wait for the server's delayed ACK (~40 ms),
      // which would hide the handshake's own cost.
      // TLS 1.2 on both: istiod's contexts without tls_params get Envoy's client default (at most TLS 1.2), and a
      // TLS 1.3 handshake costs differently, which would measure the protocol rather than the mesh.
      ConnectionSpec tls12 = new ConnectionSpec.Builder(ConnectionSpec.MODERN_TLS).tlsVersions(TlsVersion.TLS_1_2).build();
      OkHttpClient barePooled = new OkHttpClient.Builder().socketFactory(NO_DELAY)
          .sslSocketFactory(plain.getSocketFactory(), trust).connectionSpecs(List.of(tls12)).build();
      OkHttpClient bareNew = barePooled.newBuilder().connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS)).build();
      OkHttpClient meshPooled = mesh.okHttp(new OkHttpClient.Builder().socketFactory(NO_DELAY)).build();
      OkHttpClient meshNew = mesh.okHttp(new OkHttpClient.Builder().socketFactory(NO_DELAY)
          .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))).build();
      Request direct = new Request.Builder().url("https://127.0.0.1:" + port + "/items/42").build();
      Request viaMesh = new Request.Builder().url("http://" + MESH_HOST + ":8080/items/42").build();

      OkHttpClient[] clients = {bareNew, meshNew, barePooled, meshPooled};
      Request[] requests = {direct, viaMesh, direct, viaMesh};
      for (int i = 0; i < clients.length; i++) {
        ClosedLoopLoad.run(clients[i], requests[i], threads, Duration.ofSeconds(2)); // JIT, pools, the mesh's config and files
      }
      PhaseResult[] totals = {PhaseResult.EMPTY, PhaseResult.EMPTY, PhaseResult.EMPTY, PhaseResult.EMPTY};
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < clients.length; i++) {
          totals[i] = totals[i].plus(ClosedLoopLoad.run(clients[i], requests[i], threads, phase));
        }
      }
      String markdown = report(totals, threads, phase, rounds);
      System.out.println(markdown);
      Files.createDirectories(report.toAbsolutePath().getParent());
      Files.writeString(report, markdown);
      for (OkHttpClient client : clients) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
      }
    } finally {
      server.stop(0);
      serverThreads.shutdownNow();
    }
  }

  private static String report(PhaseResult[] t, int threads, Duration phase, int rounds) {
    StringBuilder md = new StringBuilder();
    md.append("### mTLS: OkHttp with plain JSSE TLS vs mesh mTLS\n\n");
    md.append(String.format(Locale.ROOT,
        "Run %s on %d cores, %d client threads, %d rounds of %d s per phase (interleaved), loopback JDK HTTPS "
            + "server requiring client certificates (EC P-256, TLS 1.2 on both clients, HTTP/1.1). \"new connection\" closes every "
            + "connection after its request (full or resumed handshake each time); \"pooled\" keeps them.%n%n",
        Instant.now().toString().substring(0, 19) + "Z", Runtime.getRuntime().availableProcessors(), threads, rounds,
        phase.toSeconds()));
    md.append("| client | requests | requests/s | p50 (µs) | p99 (µs) |\n|---|---:|---:|---:|---:|\n");
    md.append(t[0].row("plain TLS, new connection"));
    md.append(t[1].row("mesh mTLS, new connection"));
    md.append(ratio("mesh / plain, new connection", t[1], t[0]));
    md.append(t[2].row("plain TLS, pooled"));
    md.append(t[3].row("mesh mTLS, pooled"));
    md.append(ratio("mesh / plain, pooled", t[3], t[2]));
    return md.toString();
  }

  private static String ratio(String name, PhaseResult mesh, PhaseResult bare) {
    return String.format(Locale.ROOT, "| **%s** | | **%.3f** | **%.3f** | **%.3f** |%n", name,
        mesh.throughput() / bare.throughput(), mesh.percentile(50) / bare.percentile(50),
        mesh.percentile(99) / bare.percentile(99));
  }

  private static HttpsServer startServer(SSLContext context, ExecutorService threads) throws IOException {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    server.setHttpsConfigurator(new HttpsConfigurator(context) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters ssl = context.getDefaultSSLParameters();
        ssl.setNeedClientAuth(true);
        params.setSSLParameters(ssl);
      }
    });
    byte[] body = "{\"id\":42,\"name\":\"espresso\"}".getBytes(StandardCharsets.UTF_8);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().add("content-type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.setExecutor(threads);
    server.start();
    return server;
  }

  static String withFileWatcher(String bootstrapJson, Path dir) {
    String provider = "\"certificate_providers\": {\"default\": {\"plugin_name\": \"file_watcher\", \"config\": {"
        + "\"certificate_file\": \"" + dir.resolve("cert-chain.pem") + "\", "
        + "\"private_key_file\": \"" + dir.resolve("key.pem") + "\", "
        + "\"ca_certificate_file\": \"" + dir.resolve("root-cert.pem") + "\", \"refresh_interval\": \"600s\"}}}";
    int end = bootstrapJson.lastIndexOf('}');
    return bootstrapJson.substring(0, end) + ",\n  " + provider + "\n}\n";
  }

  /** A listener, a route, and an EDS cluster with istiod's proxyless mTLS context. */
  private static void writeConfig(Path dir, int serverPort) throws IOException {
    Files.writeString(dir.resolve("mesh.yaml"), """
        resources:
        - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
          name: %1$s:8080
          api_listener:
            api_listener:
              "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
              stat_prefix: bench
              rds:
                route_config_name: catalog-routes
                config_source: {ads: {}, resource_api_version: V3}
              http_filters:
              - name: envoy.filters.http.router
                typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
        - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
          name: catalog-routes
          virtual_hosts:
          - name: catalog
            domains: ["%1$s", "%1$s:8080"]
            routes:
            - match: {prefix: /}
              route: {cluster: catalog}
        - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
          name: catalog
          type: EDS
          eds_cluster_config:
            eds_config: {ads: {}, resource_api_version: V3}
          lb_policy: ROUND_ROBIN
          transport_socket:
            name: envoy.transport_sockets.tls
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
              common_tls_context:
                tls_certificate_provider_instance: {instance_name: default, certificate_name: default}
                combined_validation_context:
                  default_validation_context:
                    ca_certificate_provider_instance: {instance_name: default, certificate_name: ROOTCA}
                    match_typed_subject_alt_names:
                    - san_type: URI
                      matcher: {exact: "%3$s"}
        - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
          cluster_name: catalog
          endpoints:
          - lb_endpoints:
            - endpoint:
                address:
                  socket_address: {address: 127.0.0.1, port_value: %2$d}
        """.formatted(MESH_HOST, serverPort, CATALOG_ID));
  }

  static KeyPair keys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  static X509Certificate sign(String subject, KeyPair subjectKeys, KeyPair issuerKeys, X509Certificate issuer,
      boolean ca, String spiffeId) throws Exception {
    Instant now = Instant.now();
    X500Name issuerName = issuer == null ? new X500Name(subject)
        : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
        BigInteger.valueOf(now.toEpochMilli() + subject.hashCode()), Date.from(now.minusSeconds(3600)),
        Date.from(now.plus(Duration.ofDays(1))), new X500Name(subject), subjectKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (spiffeId != null) {
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId),
          new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    }
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  static SSLContext sslContext(KeyPair keys, X509Certificate cert, X509Certificate root) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("me", keys.getPrivate(), new char[0], new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, new char[0]);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {trustManager(root)}, null);
    return context;
  }

  static X509TrustManager trustManager(X509Certificate root) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("root", root);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    return (X509TrustManager) tmf.getTrustManagers()[0];
  }
}

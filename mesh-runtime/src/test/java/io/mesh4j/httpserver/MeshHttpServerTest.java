package io.mesh4j.httpserver;

import static io.mesh4j.runtime.testing.HandBuiltInbound.chain;
import static io.mesh4j.runtime.testing.HandBuiltInbound.serverTls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsExchange;
import io.mesh4j.MeshPeer;
import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.metrics.InboundMetrics;
import io.mesh4j.runtime.testing.DestinationMeters;
import io.mesh4j.runtime.testing.HandBuiltInbound;
import io.mesh4j.runtime.testing.TestPki;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The JDK HTTP server under the mesh on loopback with real TLS: STRICT, PERMISSIVE on one port, the chain's replies
 * and header edits, the client's identity and addresses in the handler, bodies streamed both ways.
 */
class MeshHttpServerTest {
  private static final String CLIENT_ID = "spiffe://cluster.local/ns/shop/sa/cart";
  private static final String HOST = "catalog.shop.svc";
  private static final TestPki.Ca CA = TestPki.root("mesh-ca");
  private static final TestPki.Leaf SERVER = CA.leaf().dns(HOST).issue();
  private static final TestPki.Leaf CLIENT = CA.leaf().spiffe(CLIENT_ID).issue();

  private final List<AutoCloseable> closers = new ArrayList<>();
  private InboundMetrics metrics;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closer : closers) {
      closer.close();
    }
  }

  /** Answers who called, over what, from where. */
  private static final HttpHandler WHO = exchange -> {
    MeshPeer peer = MeshHttpServer.peer(exchange);
    String body = "peer=" + (peer == null ? "none" : peer.principalName())
        + " https=" + (exchange instanceof HttpsExchange https && https.getSSLSession() != null)
        + " remote=" + exchange.getRemoteAddress().getPort()
        + " local=" + exchange.getLocalAddress().getPort()
        + " x-from-mesh=" + exchange.getRequestHeaders().getFirst("x-from-mesh");
    exchange.getRequestBody().readAllBytes();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  };

  @Test
  void strictServesMutualTlsAndTellsTheHandlerWhoCallsFromWhere() throws Exception {
    HandBuiltInbound.Chain mtls = chain("mtls", serverTls(SERVER, true, CA.root()));
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort()).serveStrict(mtls), WHO);

    String body = get(client(CLIENT), port, "/who?a=1");

    ConnectionFacts facts = port.connections().get(0);
    assertThat(body).isEqualTo("peer=" + CLIENT_ID + " https=true remote=" + facts.remoteAddress().getPort()
        + " local=" + port.port() + " x-from-mesh=null");
    assertThat(facts.transportProtocol()).isEqualTo("tls");
    assertThat(facts.serverName()).isEqualTo(HOST);
    HandBuiltInbound.Chain.Seen seen = mtls.seen().get(0);
    assertThat(seen.path()).isEqualTo("/who?a=1");
    assertThat(seen.method()).isEqualTo("GET");
    assertThat(seen.scheme()).isEqualTo("https");
    assertThat(seen.authority()).isEqualTo(HOST + ":" + port.port());
    assertThat(seen.principal()).isEqualTo(CLIENT_ID);
  }

  @Test
  void strictRefusesPlaintextAndClientsWithoutCertificate() throws Exception {
    HandBuiltInbound.Chain mtls = chain("mtls", serverTls(SERVER, true, CA.root()));
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort()).serveStrict(mtls), WHO);

    assertThatThrownBy(() -> get(plaintextClient(), port, "/")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> get(client(null), port, "/")).isInstanceOf(IOException.class);
    assertThat(mtls.seen()).isEmpty();
  }

  @Test
  void permissiveServesPlaintextAndMutualTlsOnOnePort() throws Exception {
    HandBuiltInbound.Chain mtls = chain("mtls", serverTls(SERVER, true, CA.root()));
    HandBuiltInbound.Chain plaintext = chain("plaintext", null);
    HandBuiltInbound.Port port = start(
        HandBuiltInbound.port(HandBuiltInbound.freePort()).servePermissive(mtls, plaintext), WHO);

    assertThat(get(plaintextClient(), port, "/")).startsWith("peer=none https=false");
    assertThat(get(client(CLIENT), port, "/")).startsWith("peer=" + CLIENT_ID + " https=true");
    assertThat(get(plaintextClient(), port, "/")).startsWith("peer=none https=false");
    assertThat(plaintext.seen()).hasSize(2).allSatisfy(seen -> assertThat(seen.scheme()).isEqualTo("http"));
    assertThat(mtls.seen()).hasSize(1);
  }

  @Test
  void permissiveKeepsManyConcurrentConnectionsApart() throws Exception {
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort())
        .servePermissive(chain("mtls", serverTls(SERVER, true, CA.root())), chain("plaintext", null)), WHO);
    List<java.util.concurrent.CompletableFuture<List<String>>> clients = new ArrayList<>();
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(16);
    closers.add(threads::shutdownNow);
    for (int i = 0; i < 16; i++) {
      OkHttpClient client = i % 2 == 0 ? client(CLIENT) : plaintextClient();
      clients.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        List<String> answers = new ArrayList<>();
        for (int call = 0; call < 5; call++) {
          try {
            answers.add(get(client, port, "/").replaceAll(" remote=.*", ""));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        return answers;
      }, threads));
    }

    for (int i = 0; i < clients.size(); i++) {
      String expected = i % 2 == 0 ? "peer=" + CLIENT_ID + " https=true" : "peer=none https=false";
      assertThat(clients.get(i).get(120, TimeUnit.SECONDS)).as("client %d", i).hasSize(5).containsOnly(expected);
    }
  }

  @Test
  void aChainsReplyIsAnsweredWithItsStatusHeadersAndBody() throws Exception {
    HandBuiltInbound.Chain jwtLike = chain("jwt", null, request -> request.header("authorization") == null
        ? new InboundReply(401, "Jwt is missing", Map.of("www-authenticate", "Bearer realm=\"x\""), "missing")
        : null);
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort()).serve(jwtLike), WHO);

    try (Response response = plaintextClient().newCall(request(port, "/").build()).execute()) {
      assertThat(response.code()).isEqualTo(401);
      assertThat(response.header("www-authenticate")).isEqualTo("Bearer realm=\"x\"");
      assertThat(response.body().string()).isEqualTo("Jwt is missing");
    }
    try (Response response = plaintextClient().newCall(request(port, "/").header("authorization", "Bearer t")
        .build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
    }
  }

  @Test
  void theChainsHeaderEditsReachTheHandlerAndRepeatedHeadersAreJoined() throws Exception {
    HandBuiltInbound.Chain editing = chain("edit", null, request -> {
      request.headers().set("x-from-mesh", "yes");
      request.headers().remove("x-secret");
      return null;
    });
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort()).serve(editing), exchange -> {
      String body = exchange.getRequestHeaders().getFirst("x-from-mesh") + " "
          + exchange.getRequestHeaders().containsKey("x-secret");
      exchange.sendResponseHeaders(200, body.length());
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body.getBytes(StandardCharsets.US_ASCII));
      }
    });

    try (Response response = plaintextClient().newCall(request(port, "/").addHeader("x-test", "a")
        .addHeader("x-test", "b").header("x-secret", "s").build()).execute()) {
      assertThat(response.body().string()).isEqualTo("yes false");
    }
    assertThat(editing.seen()).singleElement().satisfies(seen -> assertThat(seen.header()).isEqualTo("a,b"));
  }

  @Test
  void streamsTheResponseBeforeTheHandlerFinishes() throws Exception {
    CountDownLatch clientReadFirstPart = new CountDownLatch(1);
    HandBuiltInbound.Chain mtls = chain("mtls", serverTls(SERVER, true, CA.root()));
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort()).serve(mtls), exchange -> {
      long received = exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(("received " + received + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        if (!clientReadFirstPart.await(60, TimeUnit.SECONDS)) {
          throw new IOException("the first part never reached the client");
        }
        out.write("rest\n".getBytes(StandardCharsets.US_ASCII));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    long size = 8L * 1024 * 1024;
    RequestBody upload = new RequestBody() {
      @Override
      public MediaType contentType() {
        return MediaType.get("application/octet-stream");
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        for (long sent = 0; sent < size; sent += chunk.length) {
          sink.write(chunk);
        }
      }
    };

    Request post = new Request.Builder().url("https://" + HOST + ":" + port.port() + "/upload").post(upload).build();
    try (Response response = client(CLIENT).newCall(post).execute()) {
      BufferedSource body = response.body().source();
      assertThat(body.readUtf8LineStrict()).isEqualTo("received " + size);
      clientReadFirstPart.countDown();
      assertThat(body.readUtf8LineStrict()).isEqualTo("rest");
    }
  }

  @Test
  void closesConnectionsUntilTheListenerArrives() throws Exception {
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort()), WHO);
    assertThatThrownBy(() -> get(plaintextClient(), port, "/")).isInstanceOf(IOException.class);

    port.serve(chain("plaintext", null));

    assertThat(get(plaintextClient(), port, "/")).startsWith("peer=none");
  }

  @Test
  void refusesRequestsThatReachTheJdkServerWithoutPassingTheMeshPort() throws Exception {
    HandBuiltInbound.Port port = HandBuiltInbound.port(HandBuiltInbound.freePort()).serve(chain("plaintext", null));
    MeshHttpServer server = MeshHttpServer.create(port,
        new InetSocketAddress(InetAddress.getLoopbackAddress(), port.port()), Duration.ofSeconds(10));
    server.createContext("/", WHO);
    server.start();
    closers.add(() -> server.stop(0));

    try (Socket direct = new Socket(server.backendAddress().getAddress(), server.backendAddress().getPort())) {
      direct.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      direct.setSoTimeout(60_000);
      String status = new String(direct.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(status).isEqualTo("HTTP/1.1 403");
    }
  }

  @Test
  void closesAConnectionThatSendsNothingWithinTheSniffTimeout() throws Exception {
    HandBuiltInbound.Port port = HandBuiltInbound.port(HandBuiltInbound.freePort()).serve(chain("plaintext", null));
    MeshHttpServer server = MeshHttpServer.create(port,
        new InetSocketAddress(InetAddress.getLoopbackAddress(), port.port()), Duration.ofMillis(200));
    server.createContext("/", WHO);
    server.start();
    closers.add(() -> server.stop(0));

    try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), port.port())) {
      silent.setSoTimeout(60_000);
      InputStream in = silent.getInputStream();
      assertThat(in.read()).isEqualTo(-1);
    }
    assertThat(port.connections()).isEmpty();
  }

  @Test
  void servedRequestsAndLocalRepliesAreRecordedAsTheDestination() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    metrics = DestinationMeters.into(registry);
    java.util.function.Function<io.mesh4j.runtime.inbound.InboundRequest, InboundReply> policy = request ->
        "deny".equals(request.header("x-test")) ? new InboundReply(403, "RBAC: access denied", Map.of(), "deny") : null;
    HandBuiltInbound.Port port = start(HandBuiltInbound.port(HandBuiltInbound.freePort()).servePermissive(
        chain("mtls", serverTls(SERVER, true, CA.root()), policy), chain("plaintext", null, policy)), WHO);

    String answer = get(client(CLIENT), port, "/");
    get(plaintextClient(), port, "/");
    try (Response denied = plaintextClient().newCall(request(port, "/").header("x-test", "deny").build()).execute()) {
      assertThat(denied.code()).isEqualTo(403);
    }

    // Recorded when the handler returns, which may be after the client read the answer.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(DestinationMeters.requests(registry, "reporter", "destination",
          "source_principal", "cluster.local/ns/shop/sa/cart", "connection_security_policy", "mutual_tls",
          "request_protocol", "http", "response_code", "200", "destination_service", "catalog.shop.svc",
          "destination_workload", "catalog-v1", "grpc_response_status", "")).isEqualTo(1.0);
      assertThat(DestinationMeters.requests(registry, "reporter", "destination", "source_principal", "unknown",
          "connection_security_policy", "none", "response_code", "200")).isEqualTo(1.0);
      assertThat(DestinationMeters.requests(registry, "reporter", "destination",
          "connection_security_policy", "none", "response_code", "403")).isEqualTo(1.0);
    });
    assertThat(registry.find("istio_response_bytes").tag("connection_security_policy", "mutual_tls").summary()
        .totalAmount()).isEqualTo(answer.getBytes(StandardCharsets.UTF_8).length);
  }

  private HandBuiltInbound.Port start(HandBuiltInbound.Port port, HttpHandler handler) throws IOException {
    MeshHttpServer server = MeshHttpServer.create(port,
        new InetSocketAddress(InetAddress.getLoopbackAddress(), port.port()), Duration.ofSeconds(10), metrics);
    server.createContext("/", handler);
    server.start();
    closers.add(() -> server.stop(0));
    return port;
  }

  private static Request.Builder request(HandBuiltInbound.Port port, String path) {
    return new Request.Builder().url("http://" + HOST + ":" + port.port() + path);
  }

  /** A GET over TLS when {@code client} has a TLS context ({@link #client}), else plaintext. */
  private static String get(OkHttpClient client, HandBuiltInbound.Port port, String path) throws IOException {
    boolean tls = !client.connectionSpecs().contains(okhttp3.ConnectionSpec.CLEARTEXT);
    String url = (tls ? "https://" : "http://") + HOST + ":" + port.port() + path;
    try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
      return response.body().string();
    }
  }

  private static OkHttpClient.Builder base() {
    return new OkHttpClient.Builder()
        .dns(host -> List.of(InetAddress.getLoopbackAddress()))
        .retryOnConnectionFailure(false)
        .protocols(List.of(okhttp3.Protocol.HTTP_1_1))
        .readTimeout(Duration.ofSeconds(60));
  }

  private static OkHttpClient plaintextClient() {
    return base().connectionSpecs(List.of(okhttp3.ConnectionSpec.CLEARTEXT)).build();
  }

  private static OkHttpClient client(TestPki.Leaf identity) {
    SSLContext context = HandBuiltInbound.clientContext(identity, CA.root());
    X509TrustManager trust = (X509TrustManager) HandBuiltInbound.trustManagers(CA.root()).getTrustManagers()[0];
    return base().connectionSpecs(List.of(okhttp3.ConnectionSpec.MODERN_TLS))
        .sslSocketFactory(context.getSocketFactory(), trust).build();
  }
}

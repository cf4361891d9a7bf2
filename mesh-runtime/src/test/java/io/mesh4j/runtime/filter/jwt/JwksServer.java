package io.mesh4j.runtime.filter.jwt;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JWKS endpoint on loopback that can stop and start again on the same port, or answer slowly; and a {@link
 * JwksFetcher} that reaches it over real HTTP, as the mesh's fetcher reaches a cluster's endpoint.
 */
final class JwksServer implements AutoCloseable {
  static final String CLUSTER = "outbound|443||jwks.example.com";

  final AtomicReference<String> jwks = new AtomicReference<>();
  final AtomicInteger fetches = new AtomicInteger();
  final AtomicReference<CountDownLatch> hold = new AtomicReference<>();
  private final HttpClient client = HttpClient.newHttpClient();
  private volatile HttpServer server;
  private final int port;

  JwksServer(String initial) throws IOException {
    jwks.set(initial);
    server = start(0);
    port = server.getAddress().getPort();
  }

  private HttpServer start(int bindPort) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", bindPort), 0);
    s.createContext("/jwks", exchange -> {
      fetches.incrementAndGet();
      CountDownLatch latch = hold.get();
      if (latch != null) {
        try {
          latch.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = jwks.get().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("content-type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    s.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    s.start();
    return s;
  }

  String uri() {
    return "https://jwks.example.com/jwks";
  }

  void stop() {
    server.stop(0);
  }

  void restart() throws IOException {
    server = start(port);
  }

  /** Fetches from this server whatever the URI's host (the mesh would resolve the cluster to this endpoint). */
  JwksFetcher fetcher() {
    return (cluster, uri, timeout) -> {
      if (!CLUSTER.equals(cluster)) {
        throw new IOException("unknown cluster " + cluster);
      }
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + uri.getPath()))
          .header("x-original-host", uri.getHost()).timeout(timeout).build();
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
          throw new IOException("status " + response.statusCode());
        }
        return response.body();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    };
  }

  @Override
  public void close() {
    CountDownLatch latch = hold.getAndSet(null);
    if (latch != null) {
      latch.countDown();
    }
    server.stop(0);
  }

  static Duration generous() {
    return Duration.ofSeconds(30);
  }
}

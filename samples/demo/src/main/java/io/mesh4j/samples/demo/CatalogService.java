package io.mesh4j.samples.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One version of the demo's catalog service: answers every request with
 * {@code {"service":"catalog","version":"v1","path":"/items"}} and the header {@code x-version: v1}, on loopback.
 */
final class CatalogService implements AutoCloseable {
  static final String VERSION_HEADER = "x-version";

  private final String version;
  private final HttpServer server;
  private final ExecutorService executor;

  private CatalogService(String version, HttpServer server, ExecutorService executor) {
    this.version = version;
    this.server = server;
    this.executor = executor;
  }

  /** Starts {@code version} on {@code 127.0.0.1:port} ({@code 0} picks a free port). */
  static CatalogService start(String version, int port) throws IOException {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs: 40 ms per request.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
      Thread thread = new Thread(runnable, "catalog-" + version);
      thread.setDaemon(true);
      return thread;
    });
    CatalogService service = new CatalogService(version, server, executor);
    server.createContext("/", service::handle);
    server.setExecutor(executor);
    server.start();
    return service;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      byte[] body = ("{\"service\":\"catalog\",\"version\":\"" + version + "\",\"path\":\""
          + exchange.getRequestURI().getRawPath().replace("\"", "%22") + "\"}\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("content-type", "application/json");
      exchange.getResponseHeaders().set(VERSION_HEADER, version);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  String version() {
    return version;
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

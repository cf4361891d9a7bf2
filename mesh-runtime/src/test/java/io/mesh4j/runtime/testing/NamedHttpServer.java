package io.mesh4j.runtime.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real HTTP server on an ephemeral loopback port that answers every request with its own name (body and header
 * {@code x-served-by}) and remembers the Host header it was last sent.
 */
public final class NamedHttpServer implements AutoCloseable {
  static {
    // The JDK server writes headers and body separately; without TCP_NODELAY every response waits ~40 ms for the
    // client's delayed ACK (Nagle), which made request-heavy tests take tens of seconds.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final String name;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final AtomicReference<String> lastHost = new AtomicReference<>();

  private NamedHttpServer(String name) {
    this.name = name;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] body = name.getBytes(StandardCharsets.UTF_8);
    server.createContext("/", exchange -> {
      lastHost.set(exchange.getRequestHeaders().getFirst("Host"));
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().add("x-served-by", name);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.setExecutor(executor);
    server.start();
  }

  public static NamedHttpServer start(String name) {
    return new NamedHttpServer(name);
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code 127.0.0.1:port}, as an endpoint address. */
  public String hostPort() {
    return "127.0.0.1:" + port();
  }

  /** The Host header of the last request served, or {@code null}. */
  public String lastHost() {
    return lastHost.get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

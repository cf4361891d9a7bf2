package io.mesh4j.runtime.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real HTTP server on loopback that answers 200 with its name and records what it was sent: the request URI
 * (path and query as received), the headers of the last request and how many requests it served.
 */
public final class RecordingHttpServer implements AutoCloseable {
  /** What one request looked like on the wire. */
  public record Seen(String uri, Headers headers) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final AtomicReference<Seen> last = new AtomicReference<>();
  private final AtomicInteger requests = new AtomicInteger();

  private RecordingHttpServer(String name) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] body = name.getBytes(StandardCharsets.UTF_8);
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      last.set(new Seen(exchange.getRequestURI().toString(), exchange.getRequestHeaders()));
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().add("x-served-by", name);
      exchange.getResponseHeaders().add("x-upstream-drop", "secret");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.setExecutor(executor);
    server.start();
  }

  public static RecordingHttpServer start(String name) {
    return new RecordingHttpServer(name);
  }

  public String hostPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** The last request, or null. */
  public Seen last() {
    return last.get();
  }

  public int requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

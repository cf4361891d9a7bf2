package io.mesh4j.runtime.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.mesh4j.MeshConfigurationException;
import io.mesh4j.MeshStatus;
import io.mesh4j.runtime.xds.ResourceDump;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin endpoint, a small JDK HTTP server (loopback by default) with the paths operators and Istio's tooling
 * read from a sidecar's admin port:
 *
 * <ul>
 *   <li>{@code /stats/prometheus}: the mesh's meters in Prometheus text (the path Istio's scrape configs use); 503
 *       when Micrometer's Prometheus registry is not on the class path
 *   <li>{@code /config_dump}: the xDS resources as Envoy's admin {@code ConfigDump} JSON, secrets redacted
 *   <li>{@code /status}: the status view ({@link MeshStatus#toJson()}): per resource version, state, NACK error,
 *       last update
 *   <li>{@code /healthz/ready}: 200 once the config and certificates are ready, 503 before
 * </ul>
 *
 * One thread answers; requests are rare and each answer is built from state already in memory.
 */
public final class AdminServer implements AutoCloseable {
  /**
   * What the endpoint shows.
   *
   * @param prometheus the Prometheus text, or null when there is no Prometheus registry
   */
  public record Sources(Supplier<MeshStatus> status, Supplier<List<ResourceDump>> resources, Supplier<Node> node,
      BooleanSupplier ready, Supplier<String> prometheus) {
    public Sources {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(resources, "resources");
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(ready, "ready");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;

  private AdminServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Listens on {@code host:port} (0: any free port).
   *
   * @throws MeshConfigurationException when the port cannot be bound
   */
  public static AdminServer start(String host, int port, Sources sources) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      throw new MeshConfigurationException("admin endpoint: cannot listen on " + host + ":" + port + ": "
          + e.getMessage());
    }
    server.createContext("/stats/prometheus", exchange -> answer(exchange, () -> {
      String text = sources.prometheus() == null ? null : sources.prometheus().get();
      return text == null
          ? new Answer(503, "text/plain", "no Prometheus registry: add io.micrometer:micrometer-registry-prometheus\n")
          : new Answer(200, "text/plain; version=0.0.4; charset=utf-8", text);
    }));
    server.createContext("/config_dump", exchange -> answer(exchange, () -> new Answer(200, "application/json",
        ConfigDumps.json(sources.node().get(), sources.resources().get()))));
    server.createContext("/status", exchange -> answer(exchange, () ->
        new Answer(200, "application/json", sources.status().get().toJson())));
    server.createContext("/healthz/ready", exchange -> answer(exchange, () -> {
      boolean ready = sources.ready().getAsBoolean();
      return new Answer(ready ? 200 : 503, "text/plain", ready ? "LIVE\n" : "NOT READY\n");
    }));
    server.createContext("/", exchange -> answer(exchange, () -> new Answer(404, "text/plain",
        "admin paths: /stats/prometheus /config_dump /status /healthz/ready\n")));
    ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "mesh4j-admin");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.start();
    return new AdminServer(server, executor);
  }

  /** Where it listens (the bound port when asked for 0). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** A response, built before anything is sent so that a failure to build it is still answered (500). */
  private record Answer(int status, String contentType, String body) {}

  private static void answer(HttpExchange exchange, Supplier<Answer> build) throws IOException {
    try (exchange) {
      Answer answer;
      String method = exchange.getRequestMethod();
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        answer = new Answer(405, "text/plain", "method not allowed\n");
      } else {
        try {
          answer = build.get();
        } catch (RuntimeException e) {
          answer = new Answer(500, "text/plain", "admin endpoint error: " + e + "\n");
        }
      }
      byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", answer.contentType());
      boolean head = "HEAD".equals(method);
      exchange.sendResponseHeaders(answer.status(), head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

package io.mesh4j.samples.gateway;

import io.mesh4j.Mesh;
import io.mesh4j.httpserver.MeshHttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The partner gateway, from the library's public API only: a {@link MeshHttpServer} on the partners' port, so the
 * port's server listener (jwt_authn, then RBAC) judges every request before the handler sees it, and a
 * {@link GatewayHandler} that streams what passed to the partner API through {@code mesh.okHttp(...)}. Nothing about
 * tokens, partners, paths or backends is in this code: it all comes from the control plane.
 */
public final class PartnerGateway implements AutoCloseable {
  private final MeshHttpServer server;
  private final ExecutorService handlers;

  private PartnerGateway(MeshHttpServer server, ExecutorService handlers) {
    this.server = server;
    this.handlers = handlers;
  }

  /**
   * Serves {@code 127.0.0.1:port} under {@code mesh}, forwarding to {@code upstream} (a mesh URL such as
   * {@code http://partner-api.internal}). Serving starts when the port's listener arrives ({@link #ready()}).
   */
  public static PartnerGateway start(Mesh mesh, int port, HttpUrl upstream, int threads) throws IOException {
    OkHttpClient http = mesh.okHttp(new OkHttpClient.Builder()
            .followRedirects(false)        // a redirect is the partner's to follow, not the gateway's
            .followSslRedirects(false)
            .readTimeout(Duration.ofSeconds(60)))
        .build();
    MeshHttpServer server = MeshHttpServer.create(mesh,
        new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    AtomicInteger count = new AtomicInteger();
    // The handler blocks on the upstream call while it streams: one thread per request in flight.
    ExecutorService handlers = Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "partner-gateway-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(handlers);
    server.createContext("/", new GatewayHandler(http, upstream));
    server.start();
    return new PartnerGateway(server, handlers);
  }

  /** Completes when the partners' listener arrived from the control plane; until then connections are closed. */
  public CompletionStage<Void> ready() {
    return server.ready();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
  }
}

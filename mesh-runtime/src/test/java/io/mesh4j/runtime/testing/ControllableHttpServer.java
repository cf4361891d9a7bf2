package io.mesh4j.runtime.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real HTTP server on loopback that answers with its name, and that a test can command: stall every request until
 * released (to hold requests in flight), stop (the port then refuses connections) and start again on the same port.
 */
public final class ControllableHttpServer implements AutoCloseable {
  static {
    System.setProperty("sun.net.httpserver.nodelay", "true"); // see NamedHttpServer
  }

  private final String name;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AtomicInteger arrivals = new AtomicInteger();
  private final AtomicReference<CountDownLatch> stall = new AtomicReference<>();
  private volatile HttpServer server;
  private final int port;

  private ControllableHttpServer(String name, int port) {
    this.name = name;
    this.server = bind(port);
    this.port = server.getAddress().getPort();
  }

  public static ControllableHttpServer start(String name) {
    return new ControllableHttpServer(name, 0);
  }

  private HttpServer bind(int port) {
    HttpServer s;
    try {
      s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] body = name.getBytes(StandardCharsets.UTF_8);
    s.createContext("/", exchange -> {
      arrivals.incrementAndGet();
      exchange.getRequestBody().readAllBytes();
      CountDownLatch latch = stall.get();
      if (latch != null) {
        try {
          latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      exchange.getResponseHeaders().add("x-served-by", name);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    s.setExecutor(executor);
    s.start();
    return s;
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  /** Requests that reached the handler so far. */
  public int arrivals() {
    return arrivals.get();
  }

  /** From now on, requests wait in the handler until {@link #release()}. */
  public void stall() {
    stall.set(new CountDownLatch(1));
  }

  /** Lets stalled requests answer, and later ones answer at once. */
  public void release() {
    CountDownLatch latch = stall.getAndSet(null);
    if (latch != null) {
      latch.countDown();
    }
  }

  /** Closes the listening socket and the open connections: connections to the port are refused. */
  public void stop() {
    server.stop(0);
  }

  /** Listens again on the same port. */
  public void restart() {
    server = bind(port);
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    executor.shutdownNow();
  }
}

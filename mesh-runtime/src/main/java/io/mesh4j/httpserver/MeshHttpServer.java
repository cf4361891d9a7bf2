package io.mesh4j.httpserver;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.mesh4j.Mesh;
import io.mesh4j.MeshJwt;
import io.mesh4j.MeshPeer;
import io.mesh4j.runtime.MeshInternals;
import io.mesh4j.runtime.metrics.InboundMetrics;
import io.mesh4j.runtime.inbound.InboundPort;
import io.mesh4j.runtime.inbound.httpserver.ConnectionFront;
import io.mesh4j.runtime.inbound.httpserver.InboundHttpFilter;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The JDK's {@code com.sun.net.httpserver} server with its port under the mesh: the port's server listener says, per
 * connection, whether it is mutual TLS, plaintext, or either (PERMISSIVE, on one port), and every request runs
 * through its filter chain's HTTP filters (RBAC) before the application's filters and handler. Use it as any
 * {@link HttpServer}:
 *
 * <pre>{@code
 * MeshHttpServer server = MeshHttpServer.create(mesh, 8080);
 * server.createContext("/", exchange -> {
 *   MeshPeer caller = (MeshPeer) exchange.getAttribute(MeshPeer.REQUEST_ATTRIBUTE); // null on plaintext
 *   ...
 * });
 * server.start();
 * }</pre>
 *
 * <p>The JDK server cannot look at a connection before it parses HTTP, so the mesh accepts connections on the port
 * itself, terminates their TLS, and streams them to the JDK server on a loopback port (requests that reach that port
 * any other way are refused). Handlers see the client's addresses and, over TLS, an {@code HttpsExchange} with the
 * client's session. Until the listener arrives ({@link #ready()}) connections are closed.
 */
public final class MeshHttpServer extends HttpServer {
  private final InboundPort port;
  private final HttpServer server;
  private final ConnectionFront front;
  private final InboundHttpFilter filter;

  private MeshHttpServer(InboundPort port, InetSocketAddress address, int backlog, Duration sniffTimeout,
      InboundMetrics metrics) throws IOException {
    if (address.getPort() != port.port()) {
      throw new IllegalArgumentException("the server listens on port " + address.getPort()
          + " but its listener is the one for port " + port.port());
    }
    this.port = port;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backlog);
    try {
      this.front = new ConnectionFront(port, address, backlog, server.getAddress(), sniffTimeout);
    } catch (IOException e) {
      server.stop(0);
      throw e;
    }
    this.filter = new InboundHttpFilter(front, metrics);
  }

  /** A server on every address's {@code port}, under the mesh (its server listener is the one for {@code port}). */
  public static MeshHttpServer create(Mesh mesh, int port) throws IOException {
    return create(mesh, new InetSocketAddress(port), 0);
  }

  /** A server on {@code address}, under the mesh (its server listener is the one for the address's port). */
  public static MeshHttpServer create(Mesh mesh, InetSocketAddress address, int backlog) throws IOException {
    if (address.getPort() <= 0) {
      throw new IllegalArgumentException("a server under the mesh needs its real port (its listener is named by it)");
    }
    MeshInternals internals = MeshInternals.of(mesh);
    InboundPort port = internals.inbound().open(address.getPort());
    try {
      return new MeshHttpServer(port, address, backlog, Duration.ofSeconds(10), internals.inboundMetrics());
    } catch (IOException | RuntimeException e) {
      port.close();
      throw e;
    }
  }

  /** A server over an open port: what {@link #create} builds, and tests build directly. */
  static MeshHttpServer create(InboundPort port, InetSocketAddress address, Duration sniffTimeout)
      throws IOException {
    return new MeshHttpServer(port, address, 0, sniffTimeout, null);
  }

  /** As {@link #create(InboundPort, InetSocketAddress, Duration)}, recording served requests into {@code metrics}. */
  static MeshHttpServer create(InboundPort port, InetSocketAddress address, Duration sniffTimeout,
      InboundMetrics metrics) throws IOException {
    return new MeshHttpServer(port, address, 0, sniffTimeout, metrics);
  }

  /** Completes when the first good server listener for this port arrived: from then on connections are served. */
  public CompletionStage<Void> ready() {
    return port.ready();
  }

  /** Always bound by {@link #create}: binding again fails, as on any bound {@code HttpServer}. */
  @Override
  public void bind(InetSocketAddress address, int backlog) throws IOException {
    throw new BindException("a MeshHttpServer is bound when created, to " + front.address());
  }

  @Override
  public void start() {
    server.start();
    front.start();
  }

  @Override
  public void setExecutor(Executor executor) {
    server.setExecutor(executor);
  }

  @Override
  public Executor getExecutor() {
    return server.getExecutor();
  }

  /**
   * Stops accepting, lets exchanges in progress finish for up to {@code delaySeconds} (as the JDK server does), then
   * closes the connections and stops watching the listener.
   */
  @Override
  public void stop(int delaySeconds) {
    front.stopAccepting();
    server.stop(delaySeconds);
    front.close();
    port.close();
  }

  /**
   * A context whose requests pass the mesh's filter chain first, then the context's own filters (added to
   * {@link HttpContext#getFilters()} after it), then {@code handler}.
   */
  @Override
  public HttpContext createContext(String path, HttpHandler handler) {
    HttpContext context = server.createContext(path, handler);
    context.getFilters().add(0, filter);
    return context;
  }

  @Override
  public HttpContext createContext(String path) {
    HttpContext context = server.createContext(path);
    context.getFilters().add(0, filter);
    return context;
  }

  @Override
  public void removeContext(String path) {
    server.removeContext(path);
  }

  @Override
  public void removeContext(HttpContext context) {
    server.removeContext(context);
  }

  /** The address clients connect to. */
  @Override
  public InetSocketAddress getAddress() {
    return front.address();
  }

  /** The caller of a request this server handed to {@code exchange}'s handler, or null. */
  public static MeshPeer peer(com.sun.net.httpserver.HttpExchange exchange) {
    Object peer = exchange.getAttribute(MeshPeer.REQUEST_ATTRIBUTE);
    return peer instanceof MeshPeer meshPeer ? meshPeer : null;
  }

  /** The verified JWT of a request this server handed to {@code exchange}'s handler (its jwt_authn filter), or null. */
  public static MeshJwt jwt(com.sun.net.httpserver.HttpExchange exchange) {
    Object jwt = exchange.getAttribute(MeshJwt.REQUEST_ATTRIBUTE);
    return jwt instanceof MeshJwt meshJwt ? meshJwt : null;
  }

  /** The JDK server's own loopback address, which only the front should reach. */
  InetSocketAddress backendAddress() {
    return server.getAddress();
  }
}

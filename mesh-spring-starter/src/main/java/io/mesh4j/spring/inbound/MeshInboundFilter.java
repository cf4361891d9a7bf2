package io.mesh4j.spring.inbound;

import io.mesh4j.Mesh;
import io.mesh4j.MeshPeer;
import io.mesh4j.servlet.MeshServletFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * The application's {@link MeshServletFilter}, for the one port under the mesh: requests that arrived on another
 * local port (a management port, a second connector) pass through untouched. When the port is not configured the
 * filter learns it from the main web server once it has started (so {@code server.port=0} works); a request that
 * comes before that is answered 503, as one that comes before the server listener does.
 */
public final class MeshInboundFilter implements Filter, ApplicationListener<WebServerInitializedEvent>,
    DisposableBean {
  private final Mesh mesh;
  private final PeerHandoff handoff;
  private final CompletableFuture<MeshServletFilter> filter = new CompletableFuture<>();
  private volatile int port;

  /** Told of each admitted request that came with a client certificate, before the application sees it. */
  @FunctionalInterface
  public interface PeerHandoff {
    void admitted(HttpServletRequest request, MeshPeer peer);
  }

  /** {@code port}: the port under the mesh, or 0 to take the main web server's. */
  public MeshInboundFilter(Mesh mesh, int port) {
    this(mesh, port, null);
  }

  /** As {@link #MeshInboundFilter(Mesh, int)}, telling {@code handoff} (if not null) of the peers admitted. */
  public MeshInboundFilter(Mesh mesh, int port, PeerHandoff handoff) {
    this.mesh = mesh;
    this.handoff = handoff;
    if (port > 0) {
      open(port);
    }
  }

  private synchronized void open(int served) {
    if (!filter.isDone()) {
      filter.complete(new MeshServletFilter(mesh, served));
      port = served;
    }
  }

  /** The port under the mesh, or 0 while the web server has not told it yet. */
  public int port() {
    return port;
  }

  /** Completes when the port's server listener has arrived: requests are served from then on. */
  public CompletionStage<Void> ready() {
    return filter.thenCompose(MeshServletFilter::ready);
  }

  @Override
  public void onApplicationEvent(WebServerInitializedEvent event) {
    // A management server on its own port has a namespace; its event reaches this (parent) context too.
    if (event.getApplicationContext().getServerNamespace() == null) {
      open(event.getWebServer().getPort());
    }
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain next)
      throws IOException, ServletException {
    MeshServletFilter served = filter.getNow(null);
    if (served == null) {
      if (response instanceof HttpServletResponse http) {
        byte[] body = "mesh: the server's port is not known yet".getBytes(StandardCharsets.UTF_8);
        http.setStatus(503);
        http.setContentType("text/plain");
        http.setContentLength(body.length);
        http.getOutputStream().write(body);
        return;
      }
      next.doFilter(request, response);
      return;
    }
    if (request.getLocalPort() != port) {
      next.doFilter(request, response);
      return;
    }
    served.doFilter(request, response, handoff == null ? next : (admitted, out) -> {
      if (admitted.getAttribute(MeshPeer.REQUEST_ATTRIBUTE) instanceof MeshPeer peer
          && admitted instanceof HttpServletRequest http) {
        handoff.admitted(http, peer);
      }
      next.doFilter(admitted, out);
    });
  }

  @Override
  public void destroy() {
    MeshServletFilter served = filter.getNow(null);
    if (served != null) {
      served.destroy();
    }
  }
}

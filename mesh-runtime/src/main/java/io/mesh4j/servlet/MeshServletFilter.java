package io.mesh4j.servlet;

import io.mesh4j.Mesh;
import io.mesh4j.MeshJwt;
import io.mesh4j.MeshPeer;
import io.mesh4j.runtime.MeshInternals;
import io.mesh4j.runtime.metrics.InboundMetrics;
import io.mesh4j.runtime.metrics.RequestLabels;
import io.mesh4j.runtime.metrics.ResponseFlags;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.ContainerChainSelection;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.InboundChain;
import io.mesh4j.runtime.inbound.InboundPort;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.inbound.PeerIdentity;
import io.mesh4j.runtime.inbound.servlet.ServletInboundRequest;
import io.mesh4j.runtime.inbound.transport.TlsPeers;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Puts a servlet application's port under the mesh: each request runs through the HTTP filters (RBAC, JWT) of the
 * filter chain its port's server listener picks for it, before the application's servlets. The caller's
 * {@link MeshPeer} is the request attribute {@link MeshPeer#REQUEST_ATTRIBUTE}.
 *
 * <pre>{@code
 * FilterRegistration.Dynamic mesh = servletContext.addFilter("mesh", new MeshServletFilter(mesh, 8443));
 * mesh.addMappingForUrlPatterns(null, false, "/*");
 * }</pre>
 *
 * <p>The container, not the mesh, owns the socket and its TLS here, so the chain is chosen per request from what the
 * container tells: its addresses, {@code isSecure()} for {@code tls}/{@code raw_buffer} (no SNI or ALPN), and the
 * client certificate from {@code jakarta.servlet.request.X509Certificate}. For mutual TLS, configure the container's
 * TLS connector with the workload's certificates and client authentication {@code want} (or {@code need}); a chain
 * that requires TLS or a client certificate refuses requests without (403), which is how STRICT holds. PERMISSIVE
 * needs a plaintext and a TLS connector, or a container that sniffs. Until the listener arrives every request is
 * answered 503.
 */
public final class MeshServletFilter implements Filter {
  private static final String CLIENT_CERTIFICATES = "jakarta.servlet.request.X509Certificate";

  private final InboundPort port;
  private final InboundMetrics metrics;

  /** A filter for the server listener of {@code port}. */
  public MeshServletFilter(Mesh mesh, int port) {
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("a server under the mesh needs its real port (its listener is named by it),"
          + " not " + port);
    }
    MeshInternals internals = MeshInternals.of(mesh);
    this.port = internals.inbound().open(port);
    this.metrics = internals.inboundMetrics();
  }

  /** A filter over an open port: what the public constructor builds, and tests build directly. */
  MeshServletFilter(InboundPort port) {
    this(port, null);
  }

  /** As {@link #MeshServletFilter(InboundPort)}, recording served requests into {@code metrics} (or not, null). */
  MeshServletFilter(InboundPort port, InboundMetrics metrics) {
    this.port = port;
    this.metrics = metrics;
  }

  /** Completes when the first good server listener for the port arrived: from then on requests are served. */
  public CompletionStage<Void> ready() {
    return port.ready();
  }

  @Override
  public void doFilter(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain next)
      throws IOException, ServletException {
    if (!(servletRequest instanceof HttpServletRequest request)
        || !(servletResponse instanceof HttpServletResponse response)) {
      next.doFilter(servletRequest, servletResponse);
      return;
    }
    PeerIdentity identity = PeerIdentity.of(clientCertificates(request));
    ConnectionFacts facts = facts(request);
    ContainerChainSelection selection = ContainerChainSelection.select(port, facts, identity);
    if (selection.refusal() != null) {
      reply(response, selection.refusal());
      return;
    }
    long start = metrics == null ? 0 : metrics.now();
    InboundChain chain = selection.chain();
    ServletInboundRequest inbound = new ServletInboundRequest(request, new DownstreamConnection(facts, identity));
    InboundReply reply = chain.handle(inbound);
    if (reply != null) {
      reply(response, reply);
      record(start, request, response, identity, ResponseFlags.NONE);
      return;
    }
    if (identity != null) {
      request.setAttribute(MeshPeer.REQUEST_ATTRIBUTE, TlsPeers.forApplication(identity));
    }
    MeshJwt jwt = inbound.verifiedJwt();
    if (jwt != null) {
      request.setAttribute(MeshJwt.REQUEST_ATTRIBUTE, jwt);
    }
    try {
      next.doFilter(inbound.forApplication(), response);
    } catch (IOException | ServletException | RuntimeException e) {
      record(start, request, response, identity, ResponseFlags.DC);
      throw e;
    }
    if (metrics == null) {
      return;
    }
    if (request.isAsyncStarted()) {
      // Answered later: recorded when the async request completes, with its final status.
      request.getAsyncContext().addListener(new AsyncListener() {
        @Override
        public void onComplete(AsyncEvent event) {
          record(start, request, response, identity, ResponseFlags.NONE);
        }

        @Override
        public void onTimeout(AsyncEvent event) {}

        @Override
        public void onError(AsyncEvent event) {}

        @Override
        public void onStartAsync(AsyncEvent event) {}
      });
    } else {
      record(start, request, response, identity, ResponseFlags.NONE);
    }
  }

  /**
   * One served request (reporter {@code destination}); bytes are the request's {@code Content-Length} and the
   * response's, 0 when streamed without one.
   */
  private void record(long start, HttpServletRequest request, HttpServletResponse response, PeerIdentity identity,
      int flags) {
    if (metrics == null) {
      return;
    }
    String authority = request.getHeader("Host");
    metrics.record(start, InboundMetrics.hostOf(authority == null ? request.getServerName() : authority),
        identity == null ? null : identity.principalName(), null, RequestLabels.HTTP, response.getStatus(), -1,
        flags, Math.max(0, request.getContentLengthLong()), contentLength(response));
  }

  private static long contentLength(HttpServletResponse response) {
    String header = response.getHeader("Content-Length");
    try {
      return header == null ? 0 : Math.max(0, Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static X509Certificate[] clientCertificates(HttpServletRequest request) {
    Object certificates = request.getAttribute(CLIENT_CERTIFICATES);
    return certificates instanceof X509Certificate[] chain ? chain : null;
  }

  private static ConnectionFacts facts(HttpServletRequest request) throws UnknownHostException {
    return new ConnectionFacts(
        new InetSocketAddress(InetAddress.getByName(request.getLocalAddr()), request.getLocalPort()),
        new InetSocketAddress(InetAddress.getByName(request.getRemoteAddr()), request.getRemotePort()),
        request.isSecure() ? ConnectionFacts.TLS : ConnectionFacts.RAW_BUFFER,
        null,
        List.of());
  }

  private static void reply(HttpServletResponse response, InboundReply reply) throws IOException {
    response.setStatus(reply.httpStatus());
    for (Map.Entry<String, String> header : reply.headers().entrySet()) {
      response.setHeader(header.getKey(), header.getValue());
    }
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    response.setContentType("text/plain");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  /** Stops watching the server listener. */
  @Override
  public void destroy() {
    port.close();
  }
}

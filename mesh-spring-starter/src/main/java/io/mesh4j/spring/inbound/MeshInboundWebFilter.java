package io.mesh4j.spring.inbound;

import io.mesh4j.Mesh;
import io.mesh4j.MeshPeer;
import io.mesh4j.runtime.MeshInternals;
import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.ContainerChainSelection;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.InboundChain;
import io.mesh4j.runtime.inbound.InboundPort;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.inbound.PeerIdentity;
import io.mesh4j.runtime.inbound.transport.TlsPeers;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Puts a WebFlux application's port under the mesh: each request runs through the HTTP filters (RBAC, JWT) of the
 * filter chain its port's server listener picks, before Spring Security and the handlers. The caller's
 * {@link MeshPeer} is the exchange attribute {@link MeshPeer#REQUEST_ATTRIBUTE}. As with {@link MeshInboundFilter},
 * the server (Reactor Netty) owns the socket and its TLS, so the chain is chosen per request from the request's
 * addresses, whether it came over TLS and its client certificate; requests on another local port pass untouched, and
 * until the port is known and its listener has arrived requests are answered 503.
 *
 * <p>The chain's filters are synchronous and jwt_authn may block on a first remote JWKS fetch, so a request's chain
 * runs on Reactor's bounded elastic scheduler, never on the event loop.
 */
public final class MeshInboundWebFilter implements WebFilter, Ordered,
    ApplicationListener<WebServerInitializedEvent>, DisposableBean {
  private final Mesh mesh;
  private final CompletableFuture<InboundPort> inbound = new CompletableFuture<>();
  private volatile int port;

  /** {@code port}: the port under the mesh, or 0 to take the main web server's. */
  public MeshInboundWebFilter(Mesh mesh, int port) {
    this.mesh = mesh;
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("mesh.inbound.port must be a port number, not " + port);
    }
    if (port > 0) {
      open(port);
    }
  }

  private synchronized void open(int served) {
    if (!inbound.isDone()) {
      inbound.complete(MeshInternals.of(mesh).inbound().open(served));
      port = served;
    }
  }

  /** The port under the mesh, or 0 while the web server has not told it yet. */
  public int port() {
    return port;
  }

  /** Completes when the port's server listener has arrived: requests are served from then on. */
  public CompletionStage<Void> ready() {
    return inbound.thenCompose(InboundPort::ready);
  }

  @Override
  public int getOrder() {
    return MeshInboundAutoConfiguration.FILTER_ORDER;
  }

  @Override
  public void onApplicationEvent(WebServerInitializedEvent event) {
    // A management server on its own port has a namespace; its event reaches this (parent) context too.
    if (event.getApplicationContext().getServerNamespace() == null) {
      open(event.getWebServer().getPort());
    }
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain next) {
    InboundPort served = inbound.getNow(null);
    if (served == null) {
      return reply(exchange.getResponse(),
          new InboundReply(503, "mesh: the server's port is not known yet", Map.of(), "port not known"));
    }
    ServerHttpRequest request = exchange.getRequest();
    InetSocketAddress local = request.getLocalAddress();
    if (local != null && local.getPort() != port) {
      return next.filter(exchange);
    }
    SslInfo ssl = request.getSslInfo();
    PeerIdentity identity = PeerIdentity.of(ssl == null ? null : ssl.getPeerCertificates());
    ConnectionFacts facts = facts(request, local, ssl != null);
    ContainerChainSelection selection = ContainerChainSelection.select(served, facts, identity);
    if (selection.refusal() != null) {
      return reply(exchange.getResponse(), selection.refusal());
    }
    InboundChain chain = selection.chain();
    ReactiveInboundRequest view = new ReactiveInboundRequest(request, new DownstreamConnection(facts, identity));
    return Mono.fromCallable(() -> Optional.ofNullable(chain.handle(view)))
        .subscribeOn(Schedulers.boundedElastic())
        .flatMap(reply -> {
          if (reply.isPresent()) {
            return reply(exchange.getResponse(), reply.get());
          }
          ServerWebExchange admitted = view.forApplication(exchange);
          if (identity != null) {
            admitted.getAttributes().put(MeshPeer.REQUEST_ATTRIBUTE, TlsPeers.forApplication(identity));
          }
          return next.filter(admitted);
        });
  }

  private ConnectionFacts facts(ServerHttpRequest request, InetSocketAddress local, boolean secure) {
    InetSocketAddress remote = request.getRemoteAddress();
    return new ConnectionFacts(
        local != null ? local : new InetSocketAddress(port),
        remote != null ? remote : new InetSocketAddress(0),
        secure ? ConnectionFacts.TLS : ConnectionFacts.RAW_BUFFER,
        null,
        List.of());
  }

  private static Mono<Void> reply(ServerHttpResponse response, InboundReply reply) {
    response.setStatusCode(HttpStatusCode.valueOf(reply.httpStatus()));
    reply.headers().forEach(response.getHeaders()::set);
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
    response.getHeaders().setContentLength(body.length);
    DataBuffer buffer = response.bufferFactory().wrap(body);
    return response.writeWith(Mono.just(buffer));
  }

  /** Stops watching the server listener. */
  @Override
  public void destroy() {
    InboundPort served = inbound.getNow(null);
    if (served != null) {
      served.close();
    }
  }
}

package io.mesh4j.runtime.inbound.httpserver;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.inbound.PeerIdentity;
import io.mesh4j.runtime.metrics.InboundMetrics;
import io.mesh4j.runtime.metrics.RequestLabels;
import io.mesh4j.runtime.metrics.ResponseFlags;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The first filter of every context of a JDK server under the mesh: finds the connection the request came on, runs
 * the request through the connection's filter chain, and answers the chain's reply (status, headers, body) or hands
 * the application's filters and handler the exchange as the mesh sees it.
 */
public final class InboundHttpFilter extends Filter {
  private final ConnectionFront front;
  private final InboundMetrics metrics;

  public InboundHttpFilter(ConnectionFront front) {
    this(front, null);
  }

  /** @param metrics where served requests are recorded (reporter {@code destination}), or null when metrics are off */
  public InboundHttpFilter(ConnectionFront front, InboundMetrics metrics) {
    this.front = front;
    this.metrics = metrics;
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain next) throws IOException {
    FrontConnection connection = front.connection(exchange.getRemoteAddress());
    if (connection == null) {
      // Reached the JDK server's loopback socket without passing the mesh's port: no chain can vouch for it.
      reply(exchange, new InboundReply(403, "mesh: connection did not come through the mesh's port", Map.of(),
          "bypassed the front"));
      return;
    }
    long start = metrics == null ? 0 : metrics.now();
    InboundExchange inbound = new InboundExchange(exchange, connection);
    InboundReply reply = connection.chain().handle(inbound);
    if (reply != null) {
      reply(exchange, reply);
      record(start, exchange, connection, reply.httpStatus(), ResponseFlags.NONE);
      return;
    }
    try {
      next.doFilter(connection.session() == null ? inbound : new InboundHttpsExchange(inbound, connection.session()));
    } catch (IOException | RuntimeException e) {
      // The handler failed or the client went away before an answer: Envoy's DC with whatever was sent.
      record(start, exchange, connection, exchange.getResponseCode() < 0 ? 0 : exchange.getResponseCode(),
          ResponseFlags.DC);
      throw e;
    }
    record(start, exchange, connection, exchange.getResponseCode() < 0 ? 0 : exchange.getResponseCode(),
        ResponseFlags.NONE);
  }

  /**
   * Records the request once the handler returned (a handler that answers later on another thread is recorded with
   * the code sent by then); bytes are the bodies' {@code Content-Length}s, 0 when streamed without one.
   */
  private void record(long start, HttpExchange exchange, FrontConnection connection, int code, int flags) {
    if (metrics == null) {
      return;
    }
    PeerIdentity peer = connection.connection().peer();
    metrics.record(start, InboundMetrics.hostOf(exchange.getRequestHeaders().getFirst("Host")),
        peer == null ? null : peer.principalName(), null, RequestLabels.HTTP, code, -1, flags,
        length(exchange.getRequestHeaders().getFirst("Content-Length")),
        length(exchange.getResponseHeaders().getFirst("Content-length")));
  }

  private static long length(String header) {
    if (header == null) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static void reply(HttpExchange exchange, InboundReply reply) throws IOException {
    try (exchange) {
      exchange.getRequestBody().close();
      for (Map.Entry<String, String> header : reply.headers().entrySet()) {
        exchange.getResponseHeaders().set(header.getKey(), header.getValue());
      }
      byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain");
      exchange.sendResponseHeaders(reply.httpStatus(), body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  @Override
  public String description() {
    return "mesh4j inbound: the server listener's filter chain";
  }
}

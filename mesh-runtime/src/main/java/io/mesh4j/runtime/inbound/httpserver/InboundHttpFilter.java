package io.mesh4j.runtime.inbound.httpserver;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.mesh4j.runtime.inbound.InboundReply;
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

  public InboundHttpFilter(ConnectionFront front) {
    this.front = front;
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
    InboundExchange inbound = new InboundExchange(exchange, connection);
    InboundReply reply = connection.chain().handle(inbound);
    if (reply != null) {
      reply(exchange, reply);
      return;
    }
    next.doFilter(connection.session() == null ? inbound : new InboundHttpsExchange(inbound, connection.session()));
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

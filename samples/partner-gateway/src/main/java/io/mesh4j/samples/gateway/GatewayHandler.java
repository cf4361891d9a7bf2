package io.mesh4j.samples.gateway;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsExchange;
import io.mesh4j.MeshRoutingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a request that passed the gateway's filters (jwt_authn, then RBAC) to the partner API through the mesh:
 * the same method, path, query and end-to-end headers, to {@code upstream} (a mesh name whose routes pick the
 * backend), with both bodies streamed. Hop-by-hop headers stay on their hop, as an HTTP proxy keeps them.
 */
final class GatewayHandler implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(GatewayHandler.class);

  /** RFC 9110 section 7.6.1's connection-specific headers, plus the framing OkHttp and the JDK server set. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
      "content-length", "date");
  private static final int BUFFER = 64 * 1024;

  private final OkHttpClient http;
  private final HttpUrl upstream;

  /** {@code http}: a client from {@code mesh.okHttp(...)}; {@code upstream}: e.g. {@code http://partner-api.internal}. */
  GatewayHandler(OkHttpClient http, HttpUrl upstream) {
    this.http = http;
    this.upstream = upstream;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Request request = upstreamRequest(exchange);
      Response response;
      try {
        response = http.newCall(request).execute();
      } catch (MeshRoutingException e) {
        // The mesh's own refusal (no route, no healthy upstream, timeout, circuit open, TLS): Envoy's status.
        log.debug("{} {}: {}", request.method(), request.url().encodedPath(), e.getMessage());
        answer(exchange, e.reason().httpStatus(), e.reason().name(), "mesh: " + e.getMessage());
        return;
      } catch (IOException e) {
        log.debug("{} {}: {}", request.method(), request.url().encodedPath(), e.toString());
        answer(exchange, 502, "UPSTREAM_FAILED", "mesh: upstream request failed");
        return;
      }
      try (response) {
        relay(exchange, response);
      }
    }
  }

  private Request upstreamRequest(HttpExchange exchange) {
    String target = exchange.getRequestURI().getRawPath();
    String query = exchange.getRequestURI().getRawQuery();
    HttpUrl url = upstream.newBuilder()
        .encodedPath(target == null || target.isEmpty() ? "/" : target)
        .encodedQuery(query)
        .build();
    Request.Builder builder = new Request.Builder().url(url);
    Headers headers = exchange.getRequestHeaders();
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(name)) {
        for (String value : header.getValue()) {
          builder.addHeader(name, value);
        }
      }
    }
    InetSocketAddress client = exchange.getRemoteAddress();
    String forwardedFor = headers.getFirst("x-forwarded-for");
    String clientIp = client.getAddress().getHostAddress();
    builder.header("x-forwarded-for", forwardedFor == null ? clientIp : forwardedFor + ", " + clientIp);
    builder.header("x-forwarded-proto", exchange instanceof HttpsExchange ? "https" : "http");
    String method = exchange.getRequestMethod();
    builder.method(method, body(method, headers, exchange.getRequestBody()));
    return builder.build();
  }

  private static RequestBody body(String method, Headers headers, InputStream in) {
    if (method.equals("GET") || method.equals("HEAD")) {
      return null; // OkHttp sends neither with a body
    }
    String length = headers.getFirst("content-length");
    String type = headers.getFirst("content-type");
    return new StreamingRequestBody(in, length == null ? -1 : Long.parseLong(length.trim()),
        type == null ? null : MediaType.parse(type));
  }

  private static void relay(HttpExchange exchange, Response response) throws IOException {
    Headers out = exchange.getResponseHeaders();
    for (String name : response.headers().names()) {
      if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
        for (String value : response.headers(name)) {
          out.add(name, value);
        }
      }
    }
    int code = response.code();
    ResponseBody body = response.body();
    long length = body.contentLength();
    boolean bodiless = exchange.getRequestMethod().equals("HEAD") || code == 204 || code == 304 || length == 0;
    // The JDK server: -1 no body, 0 chunked, n a fixed length.
    exchange.sendResponseHeaders(code, bodiless ? -1 : Math.max(length, 0));
    if (bodiless) {
      return;
    }
    byte[] buffer = new byte[BUFFER];
    try (InputStream in = body.byteStream(); OutputStream sink = exchange.getResponseBody()) {
      for (int n; (n = in.read(buffer)) != -1; ) {
        sink.write(buffer, 0, n);
        if (in.available() == 0) {
          sink.flush(); // nothing more ready upstream: let the partner have what came so far
        }
      }
    }
  }

  private static void answer(HttpExchange exchange, int status, String reason, String text) throws IOException {
    byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.getResponseHeaders().set("x-mesh-reason", reason);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}

package io.mesh4j.runtime.inbound.httpserver;

import io.mesh4j.MeshJwt;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.mesh4j.MeshPeer;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.DynamicMetadata;
import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.inbound.PseudoHeaders;
import io.mesh4j.runtime.view.HeaderEditor;
import io.mesh4j.runtime.view.HeaderValues;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One request of the JDK server under the mesh, twice over: what the chain's HTTP filters see of it
 * ({@link InboundRequest}), and the exchange the application's handler gets, which tells the client's real addresses
 * (not the front's loopback stream), holds the caller in the attribute {@link MeshPeer#REQUEST_ATTRIBUTE}, and has
 * the request headers as the filters left them. One object per request; the rest is made only if asked for.
 */
class InboundExchange extends HttpExchange implements InboundRequest, HeaderEditor {
  private final HttpExchange exchange;
  private final FrontConnection connection;
  private String path;
  private Headers edited;
  private DynamicMetadata dynamicMetadata;

  InboundExchange(HttpExchange exchange, FrontConnection connection) {
    this.exchange = exchange;
    this.connection = connection;
  }

  // What the chain's filters see.

  @Override
  public String method() {
    return exchange.getRequestMethod();
  }

  @Override
  public String authority() {
    return requestHeaders().getFirst("Host");
  }

  @Override
  public String path() {
    if (path == null) {
      URI uri = exchange.getRequestURI();
      // Origin form (the usual case) is the request target as sent; absolute form keeps its path and query only.
      path = uri.getRawAuthority() == null ? uri.toString()
          : (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
              + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }
    return path;
  }

  @Override
  public String header(String lowerCaseName) {
    if (PseudoHeaders.isPseudo(lowerCaseName)) {
      return PseudoHeaders.value(this, lowerCaseName, connection.session() != null ? "https" : "http");
    }
    return HeaderValues.join(requestHeaders().get(lowerCaseName));
  }

  @Override
  public DownstreamConnection connection() {
    return connection.connection();
  }

  @Override
  public DynamicMetadata dynamicMetadata() {
    if (dynamicMetadata == null) {
      dynamicMetadata = new DynamicMetadata();
    }
    return dynamicMetadata;
  }

  /** The verified token a jwt_authn filter left for the application, or null (allocates nothing when none). */
  public MeshJwt verifiedJwt() {
    return dynamicMetadata == null ? null : dynamicMetadata.verifiedJwt();
  }

  @Override
  public HeaderEditor headers() {
    return this;
  }

  // The filters' header edits, on a copy of the request headers made at the first edit.

  @Override
  public boolean has(String name) {
    return requestHeaders().containsKey(name);
  }

  @Override
  public void add(String name, String value) {
    writableHeaders().add(name, value);
  }

  @Override
  public void set(String name, String value) {
    writableHeaders().set(name, value);
  }

  @Override
  public void remove(String name) {
    writableHeaders().remove(name);
  }

  private Headers requestHeaders() {
    return edited != null ? edited : exchange.getRequestHeaders();
  }

  private Headers writableHeaders() {
    if (edited == null) {
      edited = new Headers();
      for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
        edited.put(header.getKey(), new ArrayList<>(header.getValue()));
      }
    }
    return edited;
  }

  // The exchange the application gets.

  @Override
  public Headers getRequestHeaders() {
    return requestHeaders();
  }

  @Override
  public Headers getResponseHeaders() {
    return exchange.getResponseHeaders();
  }

  @Override
  public URI getRequestURI() {
    return exchange.getRequestURI();
  }

  @Override
  public String getRequestMethod() {
    return exchange.getRequestMethod();
  }

  @Override
  public HttpContext getHttpContext() {
    return exchange.getHttpContext();
  }

  @Override
  public void close() {
    exchange.close();
  }

  @Override
  public InputStream getRequestBody() {
    return exchange.getRequestBody();
  }

  @Override
  public OutputStream getResponseBody() {
    return exchange.getResponseBody();
  }

  @Override
  public void sendResponseHeaders(int code, long length) throws IOException {
    exchange.sendResponseHeaders(code, length);
  }

  /** The client's address, not the front's loopback stream. */
  @Override
  public InetSocketAddress getRemoteAddress() {
    return connection.connection().facts().remoteAddress();
  }

  @Override
  public int getResponseCode() {
    return exchange.getResponseCode();
  }

  /** The address the client connected to. */
  @Override
  public InetSocketAddress getLocalAddress() {
    return connection.connection().facts().localAddress();
  }

  @Override
  public String getProtocol() {
    return exchange.getProtocol();
  }

  @Override
  public Object getAttribute(String name) {
    if (MeshPeer.REQUEST_ATTRIBUTE.equals(name)) {
      return connection.peer();
    }
    if (MeshJwt.REQUEST_ATTRIBUTE.equals(name)) {
      // Answered here: on Java 17 the JDK server keeps exchange attributes in the context, shared by all requests.
      return verifiedJwt();
    }
    return exchange.getAttribute(name);
  }

  @Override
  public void setAttribute(String name, Object value) {
    exchange.setAttribute(name, value);
  }

  @Override
  public void setStreams(InputStream in, OutputStream out) {
    exchange.setStreams(in, out);
  }

  @Override
  public HttpPrincipal getPrincipal() {
    return exchange.getPrincipal();
  }
}

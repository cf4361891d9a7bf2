package io.mesh4j.spring.inbound;

import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.DynamicMetadata;
import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.inbound.PseudoHeaders;
import io.mesh4j.runtime.view.HeaderEditor;
import java.net.URI;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

/**
 * A WebFlux request as the chain's HTTP filters see it. The request's headers are read-only, so the filters' edits
 * go to a copy made on the first edit, and the application gets an exchange with them ({@link #forApplication}).
 */
final class ReactiveInboundRequest implements InboundRequest, HeaderEditor {
  private final ServerHttpRequest request;
  private final DownstreamConnection connection;
  private String path;
  private DynamicMetadata dynamicMetadata;
  /** The headers with the filters' edits, or null while nothing was edited. */
  private HttpHeaders edited;

  ReactiveInboundRequest(ServerHttpRequest request, DownstreamConnection connection) {
    this.request = request;
    this.connection = connection;
  }

  /** The exchange the application should get: the original, or one whose request has the filters' header edits. */
  ServerWebExchange forApplication(ServerWebExchange exchange) {
    if (edited == null) {
      return exchange;
    }
    HttpHeaders headers = edited;
    return exchange.mutate().request(builder -> builder.headers(target -> {
      target.clear();
      target.putAll(headers);
    })).build();
  }

  private HttpHeaders headersNow() {
    return edited != null ? edited : request.getHeaders();
  }

  @Override
  public String method() {
    return request.getMethod().name();
  }

  @Override
  public String authority() {
    String host = header("host");
    // Without a host header (HTTP/2 keeps :authority out of the headers on some servers) the URI has it.
    return host != null ? host : request.getURI().getRawAuthority();
  }

  @Override
  public String path() {
    if (path == null) {
      URI uri = request.getURI();
      String query = uri.getRawQuery();
      path = query == null ? uri.getRawPath() : uri.getRawPath() + "?" + query;
    }
    return path;
  }

  @Override
  public String header(String lowerCaseName) {
    if (PseudoHeaders.isPseudo(lowerCaseName)) {
      return PseudoHeaders.value(this, lowerCaseName, request.getURI().getScheme());
    }
    List<String> values = headersNow().get(lowerCaseName);
    if (values == null || values.isEmpty()) {
      return null;
    }
    return values.size() == 1 ? values.get(0) : String.join(",", values);
  }

  @Override
  public DownstreamConnection connection() {
    return connection;
  }

  @Override
  public DynamicMetadata dynamicMetadata() {
    if (dynamicMetadata == null) {
      dynamicMetadata = new DynamicMetadata();
    }
    return dynamicMetadata;
  }

  @Override
  public HeaderEditor headers() {
    return this;
  }

  @Override
  public boolean has(String name) {
    return headersNow().containsHeader(name);
  }

  @Override
  public void add(String name, String value) {
    editable().add(name, value);
  }

  @Override
  public void set(String name, String value) {
    editable().set(name, value);
  }

  @Override
  public void remove(String name) {
    editable().remove(name);
  }

  private HttpHeaders editable() {
    if (edited == null) {
      edited = HttpHeaders.copyOf(request.getHeaders());
    }
    return edited;
  }
}

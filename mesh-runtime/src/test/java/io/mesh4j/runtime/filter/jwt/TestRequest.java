package io.mesh4j.runtime.filter.jwt;

import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.DynamicMetadata;
import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.view.HeaderEditor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A received request as an adapter would present it: headers by lower-case name, metadata, a plaintext connection. */
final class TestRequest implements InboundRequest {
  private static final DownstreamConnection CONNECTION = new DownstreamConnection(
      new ConnectionFacts(new InetSocketAddress("127.0.0.1", 8080), new InetSocketAddress("127.0.0.1", 50000),
          ConnectionFacts.RAW_BUFFER, null, List.of()),
      null);

  final Map<String, List<String>> headers = new LinkedHashMap<>();
  final DynamicMetadata metadata = new DynamicMetadata();
  private final String method;
  private final String path;

  TestRequest(String method, String path) {
    this.method = method;
    this.path = path;
  }

  static TestRequest get(String path) {
    return new TestRequest("GET", path);
  }

  TestRequest with(String name, String value) {
    headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).add(value);
    return this;
  }

  TestRequest bearer(String token) {
    return with("authorization", "Bearer " + token);
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public DownstreamConnection connection() {
    return CONNECTION;
  }

  @Override
  public DynamicMetadata dynamicMetadata() {
    return metadata;
  }

  @Override
  public HeaderEditor headers() {
    return new HeaderEditor() {
      @Override
      public boolean has(String name) {
        return headers.containsKey(name.toLowerCase(Locale.ROOT));
      }

      @Override
      public void add(String name, String value) {
        with(name, value);
      }

      @Override
      public void set(String name, String value) {
        headers.put(name.toLowerCase(Locale.ROOT), new ArrayList<>(List.of(value)));
      }

      @Override
      public void remove(String name) {
        headers.remove(name.toLowerCase(Locale.ROOT));
      }
    };
  }

  @Override
  public String authority() {
    return "api.example.com";
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String header(String lowerCaseName) {
    switch (lowerCaseName) {
      case ":path":
        return path;
      case ":method":
        return method;
      case ":authority":
        return authority();
      case ":scheme":
        return "https";
      default:
        List<String> values = headers.get(lowerCaseName);
        return values == null ? null : String.join(",", values);
    }
  }
}

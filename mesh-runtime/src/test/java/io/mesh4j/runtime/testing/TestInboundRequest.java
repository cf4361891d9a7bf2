package io.mesh4j.runtime.testing;

import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.DynamicMetadata;
import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.view.HeaderEditor;
import io.mesh4j.runtime.view.HeaderValues;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A received request held in memory, for tests of server chains and filters. */
public final class TestInboundRequest implements InboundRequest, HeaderEditor {
  private final String method;
  private final String authority;
  private final String path;
  private final Map<String, List<String>> headers = new LinkedHashMap<>();
  private final DynamicMetadata metadata = new DynamicMetadata();
  private DownstreamConnection connection = new DownstreamConnection(new ConnectionFacts(
      new InetSocketAddress("127.0.0.1", 8080), new InetSocketAddress("127.0.0.1", 40000), ConnectionFacts.RAW_BUFFER,
      null, List.of()), null);

  private TestInboundRequest(String method, String authority, String path) {
    this.method = method;
    this.authority = authority;
    this.path = path;
  }

  public static TestInboundRequest post(String authority, String path) {
    return new TestInboundRequest("POST", authority, path);
  }

  public TestInboundRequest with(String name, String value) {
    add(name, value);
    return this;
  }

  public TestInboundRequest on(DownstreamConnection downstream) {
    this.connection = downstream;
    return this;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public DownstreamConnection connection() {
    return connection;
  }

  @Override
  public DynamicMetadata dynamicMetadata() {
    return metadata;
  }

  @Override
  public HeaderEditor headers() {
    return this;
  }

  @Override
  public String authority() {
    return authority;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String header(String lowerCaseName) {
    return switch (lowerCaseName) {
      case ":authority" -> authority;
      case ":path" -> path;
      case ":method" -> method;
      case ":scheme" -> "http";
      default -> HeaderValues.join(headers.get(lowerCaseName));
    };
  }

  @Override
  public boolean has(String name) {
    return headers.containsKey(name.toLowerCase(Locale.ROOT));
  }

  @Override
  public void add(String name, String value) {
    headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
  }

  @Override
  public void set(String name, String value) {
    headers.put(name.toLowerCase(Locale.ROOT), new ArrayList<>(List.of(value)));
  }

  @Override
  public void remove(String name) {
    headers.remove(name.toLowerCase(Locale.ROOT));
  }
}

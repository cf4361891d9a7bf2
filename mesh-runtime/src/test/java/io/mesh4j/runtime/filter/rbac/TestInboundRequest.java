package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.DynamicMetadata;
import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.inbound.PeerIdentity;
import io.mesh4j.runtime.view.HeaderEditor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A received request built by hand, answering headers as the adapters do ({@code :authority}, {@code :path} with the
 * query, {@code :method}; repeated headers joined with ","). Defaults: {@code POST /pkg.Service/Method} to {@code
 * server.example:8080}, from 10.0.0.2:40000 to 10.0.0.1:8080, plaintext, no peer.
 */
final class TestInboundRequest implements InboundRequest {
  private String method = "POST";
  private String authority = "server.example:8080";
  private String path = "/pkg.Service/Method";
  private final Map<String, List<String>> headers = new LinkedHashMap<>();
  private InetSocketAddress local = address("10.0.0.1", 8080);
  private InetSocketAddress remote = address("10.0.0.2", 40000);
  private String transport = ConnectionFacts.RAW_BUFFER;
  private String serverName;
  private PeerIdentity peer;
  private final DynamicMetadata metadata = new DynamicMetadata();

  static TestInboundRequest request() {
    return new TestInboundRequest();
  }

  static InetSocketAddress address(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(ip, e);
    }
  }

  /** A peer identity as {@link PeerIdentity#of} would read it from a certificate. */
  static PeerIdentity peer(List<String> uriSans, List<String> dnsSans, String subject) {
    String principal = !uriSans.isEmpty() ? uriSans.get(0) : !dnsSans.isEmpty() ? dnsSans.get(0) : subject;
    return new PeerIdentity(principal, uriSans, dnsSans, subject, List.of());
  }

  TestInboundRequest method(String method) {
    this.method = method;
    return this;
  }

  TestInboundRequest authority(String authority) {
    this.authority = authority;
    return this;
  }

  TestInboundRequest path(String path) {
    this.path = path;
    return this;
  }

  TestInboundRequest header(String name, String value) {
    headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).add(value);
    return this;
  }

  TestInboundRequest local(String ip, int port) {
    this.local = address(ip, port);
    return this;
  }

  TestInboundRequest remote(String ip, int port) {
    this.remote = address(ip, port);
    return this;
  }

  /** A TLS connection, with this SNI (or null). */
  TestInboundRequest tls(String serverName) {
    this.transport = ConnectionFacts.TLS;
    this.serverName = serverName;
    return this;
  }

  /** A TLS connection whose client presented a certificate with these names. */
  TestInboundRequest peer(PeerIdentity peer) {
    this.transport = ConnectionFacts.TLS;
    this.peer = peer;
    return this;
  }

  TestInboundRequest metadata(String filter, String key, Object value) {
    metadata.put(filter, key, value);
    return this;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public DownstreamConnection connection() {
    return new DownstreamConnection(new ConnectionFacts(local, remote, transport, serverName, List.of()), peer);
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
        header(name, value);
      }

      @Override
      public void set(String name, String value) {
        remove(name);
        header(name, value);
      }

      @Override
      public void remove(String name) {
        headers.remove(name.toLowerCase(Locale.ROOT));
      }
    };
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
    switch (lowerCaseName) {
      case ":authority":
        return authority;
      case ":path":
        return path;
      case ":method":
        return method;
      case ":scheme":
        return ConnectionFacts.TLS.equals(transport) ? "https" : "http";
      default:
        List<String> values = headers.get(lowerCaseName);
        return values == null ? null : String.join(",", values);
    }
  }

  @Override
  public String toString() {
    return method + " " + authority + path + " " + headers + " from " + remote + " to " + local
        + (peer != null ? " peer " + peer.principalName() : "") + (serverName != null ? " sni " + serverName : "");
  }
}

package io.mesh4j.benchmarks;

import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.DynamicMetadata;
import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.inbound.PeerIdentity;
import io.mesh4j.runtime.view.HeaderEditor;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A received gRPC request held in fields, as an adapter holds one for the duration of a call: headers looked up by a
 * linear scan (as gRPC's Metadata is), the connection and its peer made once. Lookups allocate nothing, so a
 * benchmark over it measures only the filter.
 */
final class FixedInboundRequest implements InboundRequest {
  private final String authority;
  private final String path;
  private final String[] namesAndValues;
  private final DownstreamConnection connection;
  private final DynamicMetadata metadata = new DynamicMetadata();

  /**
   * @param spiffeId the client certificate's URI SAN, or null for a plaintext connection
   * @param namesAndValues further headers, lower-case name then value
   */
  FixedInboundRequest(String authority, String path, int localPort, String spiffeId, String... namesAndValues) {
    this.authority = authority;
    this.path = path;
    this.namesAndValues = namesAndValues.clone();
    PeerIdentity peer = spiffeId == null ? null : new PeerIdentity(spiffeId, List.of(spiffeId), List.of(),
        "O=cluster.local", List.of());
    ConnectionFacts facts = new ConnectionFacts(new InetSocketAddress("10.0.0.1", localPort),
        new InetSocketAddress("10.0.0.2", 43210), peer == null ? ConnectionFacts.RAW_BUFFER : ConnectionFacts.TLS,
        null, List.of("h2"));
    this.connection = new DownstreamConnection(facts, peer);
  }

  @Override
  public String method() {
    return "POST";
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
    throw new UnsupportedOperationException("RBAC does not edit headers");
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
        return "POST";
      case ":scheme":
        return connection.peer() == null ? "http" : "https";
      default:
        for (int i = 0; i < namesAndValues.length; i += 2) {
          if (namesAndValues[i].equals(lowerCaseName)) {
            return namesAndValues[i + 1];
          }
        }
        return null;
    }
  }
}

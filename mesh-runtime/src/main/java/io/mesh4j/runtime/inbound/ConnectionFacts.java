package io.mesh4j.runtime.inbound;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * What is known of a new connection before any handshake, which is all a listener's {@code filter_chain_match} may
 * use (gRFC A36, Envoy's filter chain manager): the addresses, and what sniffing the first bytes found.
 *
 * @param localAddress the address the connection was accepted on (destination IP and port)
 * @param remoteAddress the peer's address (source IP and port)
 * @param transportProtocol {@code "tls"} when the first bytes are a TLS ClientHello, else {@code "raw_buffer"}
 * @param serverName the ClientHello's SNI, or null
 * @param applicationProtocols the ClientHello's ALPN list, empty when none (or plaintext)
 */
public record ConnectionFacts(
    InetSocketAddress localAddress,
    InetSocketAddress remoteAddress,
    String transportProtocol,
    String serverName,
    List<String> applicationProtocols) {
  public static final String TLS = "tls";
  public static final String RAW_BUFFER = "raw_buffer";

  public ConnectionFacts {
    Objects.requireNonNull(localAddress, "localAddress");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Objects.requireNonNull(transportProtocol, "transportProtocol");
    applicationProtocols = List.copyOf(applicationProtocols);
  }

  public boolean isTls() {
    return TLS.equals(transportProtocol);
  }
}

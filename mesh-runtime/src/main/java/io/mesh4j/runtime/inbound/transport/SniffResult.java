package io.mesh4j.runtime.inbound.transport;

import io.mesh4j.runtime.inbound.ConnectionFacts;
import java.util.List;

/**
 * What the first bytes of a connection said: not enough yet, plaintext, a TLS ClientHello (with its SNI and ALPN
 * list), or a ClientHello larger than the mesh accepts (the connection is closed, as Envoy's tls_inspector does).
 *
 * @param state how far the sniffing got
 * @param serverName the ClientHello's SNI host name, or null
 * @param applicationProtocols the ClientHello's ALPN list, empty when none
 */
public record SniffResult(State state, String serverName, List<String> applicationProtocols) {
  public static final SniffResult NEED_MORE = new SniffResult(State.NEED_MORE, null, List.of());
  public static final SniffResult PLAINTEXT = new SniffResult(State.PLAINTEXT, null, List.of());
  public static final SniffResult TOO_LARGE = new SniffResult(State.TOO_LARGE, null, List.of());

  public enum State {
    /** The bytes so far are a prefix of a ClientHello: read more. */
    NEED_MORE,
    /** Not TLS, or not a well-formed ClientHello: the connection is {@code raw_buffer}. */
    PLAINTEXT,
    /** A complete ClientHello. */
    TLS,
    /** A ClientHello claims more bytes than the mesh reads before choosing a chain: close the connection. */
    TOO_LARGE
  }

  public SniffResult {
    applicationProtocols = List.copyOf(applicationProtocols);
  }

  static SniffResult tls(String serverName, List<String> applicationProtocols) {
    return new SniffResult(State.TLS, serverName, applicationProtocols);
  }

  /** Whether the sniffing is over (anything but {@link State#NEED_MORE}). */
  public boolean done() {
    return state != State.NEED_MORE;
  }

  /** {@code tls} or {@code raw_buffer}, as {@code filter_chain_match.transport_protocol} names them. */
  public String transportProtocol() {
    return state == State.TLS ? ConnectionFacts.TLS : ConnectionFacts.RAW_BUFFER;
  }
}

package io.mesh4j.runtime.inbound.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.inbound.transport.SniffResult.State;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/** Real ClientHellos from the JDK's SSLEngine, cut, split and broken; plaintext and garbage. */
class ClientHelloSnifferTest {

  @Test
  void readsSniAndAlpnFromAJdkClientHello() throws Exception {
    byte[] hello = jdkClientHello("catalog.shop.svc.cluster.local", new String[] {"h2", "http/1.1"}, null);

    SniffResult result = ClientHelloSniffer.parse(ByteBuffer.wrap(hello));

    assertThat(result.state()).isEqualTo(State.TLS);
    assertThat(result.transportProtocol()).isEqualTo("tls");
    assertThat(result.serverName()).isEqualTo("catalog.shop.svc.cluster.local");
    assertThat(result.applicationProtocols()).containsExactly("h2", "http/1.1");
  }

  @Test
  void aClientHelloWithoutSniOrAlpnIsStillTls() throws Exception {
    for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
      byte[] hello = jdkClientHello(null, null, protocol);

      SniffResult result = ClientHelloSniffer.parse(ByteBuffer.wrap(hello));

      assertThat(result.state()).as(protocol).isEqualTo(State.TLS);
      assertThat(result.serverName()).as(protocol).isNull();
      assertThat(result.applicationProtocols()).as(protocol).isEmpty();
    }
  }

  @Test
  void everyPrefixOfAClientHelloAsksForMore() throws Exception {
    byte[] hello = jdkClientHello("a.example", new String[] {"h2"}, null);
    for (int n = 0; n < hello.length; n++) {
      assertThat(ClientHelloSniffer.parse(ByteBuffer.wrap(hello, 0, n)).state()).as("first %d bytes", n)
          .isEqualTo(State.NEED_MORE);
    }
  }

  @Test
  void aClientHelloSplitOverSmallRecordsIsJoined() throws Exception {
    byte[] hello = refragment(jdkClientHello("split.example", new String[] {"h2", "http/1.1"}, null), 37);

    for (int n = 0; n < hello.length; n++) {
      assertThat(ClientHelloSniffer.parse(ByteBuffer.wrap(hello, 0, n)).state()).as("first %d bytes", n)
          .isEqualTo(State.NEED_MORE);
    }
    SniffResult result = ClientHelloSniffer.parse(ByteBuffer.wrap(hello));
    assertThat(result.state()).isEqualTo(State.TLS);
    assertThat(result.serverName()).isEqualTo("split.example");
    assertThat(result.applicationProtocols()).containsExactly("h2", "http/1.1");
  }

  @Test
  void readsBetweenPositionAndLimitOnly() throws Exception {
    byte[] hello = jdkClientHello("offset.example", null, null);
    byte[] padded = new byte[hello.length + 20];
    Arrays.fill(padded, (byte) 'x');
    System.arraycopy(hello, 0, padded, 7, hello.length);
    ByteBuffer buffer = ByteBuffer.wrap(padded, 7, hello.length);

    SniffResult result = ClientHelloSniffer.sniff(buffer);

    assertThat(result.serverName()).isEqualTo("offset.example");
    assertThat(buffer.position()).isEqualTo(7);
    assertThat(buffer.limit()).isEqualTo(7 + hello.length);
  }

  @Test
  void plaintextProtocolsAreRawBufferFromTheFirstByte() {
    for (String first : List.of("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "GET / HTTP/1.1\r\n", "P", "\u0000")) {
      SniffResult result = ClientHelloSniffer.parse(ascii(first));
      assertThat(result.state()).as(first).isEqualTo(State.PLAINTEXT);
      assertThat(result.transportProtocol()).isEqualTo("raw_buffer");
    }
  }

  @Test
  void malformedHandshakesAreRawBuffer() {
    record Case(String name, byte[] bytes) {}
    List<Case> cases = List.of(
        new Case("not TLS major version", bytes(22, 2, 0)),
        new Case("empty record", bytes(22, 3, 1, 0, 0)),
        new Case("record over 2^14", bytes(22, 3, 1, 0x40, 1)),
        new Case("server hello, not client hello", record(handshake(2, new byte[40]))),
        new Case("body too short for random", record(handshake(1, new byte[10]))),
        new Case("session id over 32", record(handshake(1, body(33, new byte[] {0, 1}, 1, null)))),
        new Case("odd cipher suites", record(handshake(1, body(0, new byte[] {0, 1, 2}, 1, null)))),
        new Case("no compression method", record(handshake(1, body(0, new byte[] {0, 1}, 0, null)))),
        new Case("extensions overrun", record(handshake(1, body(0, new byte[] {0, 1}, 1, bytes(0, 0, 0, 9))))),
        new Case("empty ALPN name", record(handshake(1, body(0, new byte[] {0, 1}, 1,
            extension(16, bytes(0, 2, 0, 'x')))))),
        new Case("SNI with a NUL", record(handshake(1, body(0, new byte[] {0, 1}, 1,
            extension(0, bytes(0, 6, 0, 0, 3, 'a', 0, 'b')))))),
        new Case("SNI list length lies", record(handshake(1, body(0, new byte[] {0, 1}, 1,
            extension(0, bytes(0, 9, 0, 0, 3, 'a', 'b', 'c')))))));
    for (Case c : cases) {
      assertThat(ClientHelloSniffer.parse(ByteBuffer.wrap(c.bytes())).state()).as(c.name())
          .isEqualTo(State.PLAINTEXT);
    }
  }

  @Test
  void aWellFormedHandBuiltHelloParses() {
    byte[] hello = record(handshake(1, body(0, new byte[] {0x13, 0x01}, 1,
        concat(extension(0, bytes(0, 6, 0, 0, 3, 'a', '.', 'b')), extension(16, bytes(0, 3, 2, 'h', '2'))))));

    SniffResult result = ClientHelloSniffer.parse(ByteBuffer.wrap(hello));

    assertThat(result.state()).isEqualTo(State.TLS);
    assertThat(result.serverName()).isEqualTo("a.b");
    assertThat(result.applicationProtocols()).containsExactly("h2");
  }

  @Test
  void aClientHelloClaimingMoreThanTheLimitIsTooLarge() {
    // A handshake header that announces 70000 bytes in a first record of 4.
    byte[] start = concat(bytes(22, 3, 1, 0, 4), bytes(1, 0x01, 0x11, 0x70));

    assertThat(ClientHelloSniffer.parse(ByteBuffer.wrap(start)).state()).isEqualTo(State.TOO_LARGE);
  }

  @Test
  void neverThrowsOnMutatedOrRandomInput() throws Exception {
    byte[] hello = jdkClientHello("fuzz.example", new String[] {"h2", "http/1.1"}, null);
    Random random = new Random(20261205L);
    for (int i = 0; i < 20_000; i++) {
      byte[] input;
      if (i % 4 == 0) {
        input = new byte[random.nextInt(600)];
        random.nextBytes(input);
        if (input.length > 1) {
          input[0] = 22;
          input[1] = 3;
        }
      } else {
        input = Arrays.copyOf(hello, hello.length);
        for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
          input[random.nextInt(input.length)] = (byte) random.nextInt(256);
        }
        input = Arrays.copyOf(input, random.nextInt(input.length + 1));
      }
      SniffResult result = ClientHelloSniffer.parse(ByteBuffer.wrap(input));
      assertThat(result).as("input %d", i).isNotNull();
      if (result.state() == State.TLS && result.serverName() != null) {
        assertThat(result.serverName()).as("input %d", i).matches("[\\x21-\\x7e]{1,255}");
      }
    }
  }

  /** The first flight of a client-mode JDK engine: its ClientHello record(s). */
  static byte[] jdkClientHello(String sni, String[] alpn, String protocol) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, null, null);
    SSLEngine engine = sni == null ? context.createSSLEngine() : context.createSSLEngine(sni, 443);
    engine.setUseClientMode(true);
    SSLParameters parameters = engine.getSSLParameters();
    if (sni != null) {
      parameters.setServerNames(List.of(new SNIHostName(sni)));
    }
    if (alpn != null) {
      parameters.setApplicationProtocols(alpn);
    }
    if (protocol != null) {
      parameters.setProtocols(new String[] {protocol});
    }
    engine.setSSLParameters(parameters);
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] bytes = new byte[out.remaining()];
    out.get(bytes);
    return bytes;
  }

  /** The same handshake bytes re-cut into records of at most {@code size} bytes. */
  private static byte[] refragment(byte[] records, int size) {
    ByteArrayOutputStream handshake = new ByteArrayOutputStream();
    for (int p = 0; p < records.length; ) {
      int length = (records[p + 3] & 0xff) << 8 | (records[p + 4] & 0xff);
      handshake.write(records, p + 5, length);
      p += 5 + length;
    }
    byte[] all = handshake.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int p = 0; p < all.length; p += size) {
      int n = Math.min(size, all.length - p);
      out.write(new byte[] {22, 3, 1, (byte) (n >> 8), (byte) n}, 0, 5);
      out.write(all, p, n);
    }
    return out.toByteArray();
  }

  private static byte[] body(int sessionIdLength, byte[] cipherSuites, int compressionMethods, byte[] extensions) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(3);
    out.write(3);
    out.writeBytes(new byte[32]);
    out.write(sessionIdLength);
    out.writeBytes(new byte[Math.min(sessionIdLength, 32)]);
    out.write(cipherSuites.length >> 8);
    out.write(cipherSuites.length);
    out.writeBytes(cipherSuites);
    out.write(compressionMethods);
    out.writeBytes(new byte[compressionMethods]);
    if (extensions != null) {
      out.write(extensions.length >> 8);
      out.write(extensions.length);
      out.writeBytes(extensions);
    }
    return out.toByteArray();
  }

  private static byte[] extension(int type, byte[] data) {
    return concat(bytes(type >> 8, type, data.length >> 8, data.length), data);
  }

  private static byte[] handshake(int type, byte[] body) {
    return concat(bytes(type, body.length >> 16, body.length >> 8, body.length), body);
  }

  private static byte[] record(byte[] payload) {
    return concat(bytes(22, 3, 1, payload.length >> 8, payload.length), payload);
  }

  private static byte[] bytes(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
  }
}

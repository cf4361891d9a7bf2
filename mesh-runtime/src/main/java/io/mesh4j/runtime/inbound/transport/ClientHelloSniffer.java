package io.mesh4j.runtime.inbound.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the first bytes of a connection as Envoy's {@code tls_inspector} does: a TLS ClientHello (possibly split over
 * several handshake records) gives {@code tls}, its SNI and its ALPN list; anything else is {@code raw_buffer}. It
 * reads only what it is given and never throws: a malformed ClientHello is plaintext (Envoy's {@code tls_not_found}),
 * one larger than {@link #MAX_CLIENT_HELLO_BYTES} is {@link SniffResult.State#TOO_LARGE}. Callers feed it everything
 * read so far, again after each read, until {@link SniffResult#done()}; they stop reading at
 * {@link #MAX_SNIFFED_BYTES}.
 */
public final class ClientHelloSniffer {
  /** The largest ClientHello read (Envoy's tls_inspector default {@code max_client_hello_size}). */
  public static final int MAX_CLIENT_HELLO_BYTES = 64 * 1024;
  /** The most bytes a caller ever needs to buffer: the largest ClientHello in the smallest records. */
  public static final int MAX_SNIFFED_BYTES = MAX_CLIENT_HELLO_BYTES + 4 + 5 * (MAX_CLIENT_HELLO_BYTES / 16 + 2);

  private static final int CONTENT_HANDSHAKE = 22;
  private static final int HANDSHAKE_CLIENT_HELLO = 1;
  private static final int RECORD_HEADER = 5;
  private static final int HANDSHAKE_HEADER = 4;
  private static final int MAX_RECORD_PAYLOAD = 1 << 14;
  private static final int EXTENSION_SERVER_NAME = 0;
  private static final int EXTENSION_ALPN = 16;
  private static final int SNI_HOST_NAME = 0;
  private static final int MAX_HOST_NAME = 255;

  private ClientHelloSniffer() {}

  /** Sniffs the bytes between {@code in}'s position and limit, without moving either. */
  public static SniffResult sniff(ByteBuffer in) {
    try {
      return parse(in);
    } catch (RuntimeException unexpected) {
      return SniffResult.PLAINTEXT; // bounds are checked before each read; this is only a backstop
    }
  }

  /** {@link #sniff} without its backstop, so that tests see any exception. */
  static SniffResult parse(ByteBuffer in) {
    int start = in.position();
    int end = in.limit();
    if (end <= start) {
      return SniffResult.NEED_MORE;
    }
    SniffResult header = recordHeader(in, start, end);
    if (header != null) {
      return header;
    }
    int firstPayload = u16(in, start + 3);
    // The common case: the whole ClientHello in the first record, parsed where it lies.
    if (end - start >= RECORD_HEADER + HANDSHAKE_HEADER && firstPayload >= HANDSHAKE_HEADER) {
      int message = HANDSHAKE_HEADER + u24(in, start + RECORD_HEADER + 1);
      if (message <= firstPayload) {
        if (end - start < RECORD_HEADER + message) {
          return SniffResult.NEED_MORE;
        }
        return clientHello(in, start + RECORD_HEADER, start + RECORD_HEADER + message);
      }
    }
    return fragmented(in, start, end);
  }

  /** A ClientHello split over several records: their payloads are joined, then parsed. */
  private static SniffResult fragmented(ByteBuffer in, int start, int end) {
    byte[] joined = new byte[Math.min(end - start, MAX_SNIFFED_BYTES)];
    int gathered = 0;
    int pos = start;
    while (true) {
      if (gathered >= HANDSHAKE_HEADER) {
        int message = HANDSHAKE_HEADER + ((joined[1] & 0xff) << 16 | (joined[2] & 0xff) << 8 | (joined[3] & 0xff));
        if ((joined[0] & 0xff) != HANDSHAKE_CLIENT_HELLO) {
          return SniffResult.PLAINTEXT;
        }
        if (message > MAX_CLIENT_HELLO_BYTES) {
          return SniffResult.TOO_LARGE;
        }
        if (gathered >= message) {
          return clientHello(ByteBuffer.wrap(joined), 0, message);
        }
      }
      if (pos >= end) {
        return SniffResult.NEED_MORE;
      }
      SniffResult header = recordHeader(in, pos, end);
      if (header != null) {
        return header;
      }
      int payload = u16(in, pos + 3);
      int available = Math.min(payload, end - pos - RECORD_HEADER);
      if (gathered + available > joined.length) {
        return SniffResult.TOO_LARGE;
      }
      in.get(pos + RECORD_HEADER, joined, gathered, available);
      gathered += available;
      // A partial last record ends the input: the loop's top still checks what its header says.
      pos = available < payload ? end : pos + RECORD_HEADER + payload;
    }
  }

  /** Null when the record header at {@code pos} (as much of it as there is) is a handshake record's. */
  private static SniffResult recordHeader(ByteBuffer in, int pos, int end) {
    if ((in.get(pos) & 0xff) != CONTENT_HANDSHAKE) {
      return SniffResult.PLAINTEXT;
    }
    if (end - pos >= 2 && (in.get(pos + 1) & 0xff) != 3) {
      return SniffResult.PLAINTEXT;
    }
    if (end - pos < RECORD_HEADER) {
      return SniffResult.NEED_MORE;
    }
    int length = u16(in, pos + 3);
    if (length == 0 || length > MAX_RECORD_PAYLOAD) {
      return SniffResult.PLAINTEXT;
    }
    return null;
  }

  /** Parses one complete handshake message in {@code [p, end)}. */
  private static SniffResult clientHello(ByteBuffer in, int p, int end) {
    if ((in.get(p) & 0xff) != HANDSHAKE_CLIENT_HELLO) {
      return SniffResult.PLAINTEXT;
    }
    if (end - p > MAX_CLIENT_HELLO_BYTES) {
      return SniffResult.TOO_LARGE;
    }
    int q = p + HANDSHAKE_HEADER + 2 + 32; // legacy_version, random
    if (q + 1 > end) {
      return SniffResult.PLAINTEXT;
    }
    int sessionId = u8(in, q);
    if (sessionId > 32) {
      return SniffResult.PLAINTEXT;
    }
    q += 1 + sessionId;
    if (q + 2 > end) {
      return SniffResult.PLAINTEXT;
    }
    int cipherSuites = u16(in, q);
    if (cipherSuites == 0 || (cipherSuites & 1) != 0) {
      return SniffResult.PLAINTEXT;
    }
    q += 2 + cipherSuites;
    if (q + 1 > end) {
      return SniffResult.PLAINTEXT;
    }
    int compression = u8(in, q);
    if (compression == 0) {
      return SniffResult.PLAINTEXT;
    }
    q += 1 + compression;
    if (q == end) {
      return SniffResult.tls(null, List.of()); // no extensions at all
    }
    if (q + 2 > end || q + 2 + u16(in, q) != end) {
      return SniffResult.PLAINTEXT;
    }
    q += 2;
    String serverName = null;
    List<String> protocols = List.of();
    while (q < end) {
      if (q + 4 > end) {
        return SniffResult.PLAINTEXT;
      }
      int type = u16(in, q);
      int length = u16(in, q + 2);
      int data = q + 4;
      q = data + length;
      if (q > end) {
        return SniffResult.PLAINTEXT;
      }
      if (type == EXTENSION_SERVER_NAME) {
        serverName = serverName(in, data, q);
        if (serverName == null) {
          return SniffResult.PLAINTEXT;
        }
      } else if (type == EXTENSION_ALPN) {
        protocols = protocols(in, data, q);
        if (protocols == null) {
          return SniffResult.PLAINTEXT;
        }
      }
    }
    return SniffResult.tls(serverName == null || serverName.isEmpty() ? null : serverName, protocols);
  }

  /** The first host name of a server_name extension, "" when it has none, null when malformed. */
  private static String serverName(ByteBuffer in, int p, int end) {
    if (p + 2 > end || p + 2 + u16(in, p) != end) {
      return null;
    }
    String hostName = "";
    for (int q = p + 2; q < end; ) {
      if (q + 3 > end) {
        return null;
      }
      int nameType = u8(in, q);
      int length = u16(in, q + 1);
      int name = q + 3;
      q = name + length;
      if (q > end) {
        return null;
      }
      if (nameType == SNI_HOST_NAME && hostName.isEmpty()) {
        if (length == 0 || length > MAX_HOST_NAME || !printableAscii(in, name, q)) {
          return null;
        }
        hostName = ascii(in, name, length);
      }
    }
    return hostName;
  }

  /** The protocol names of an ALPN extension, or null when malformed. */
  private static List<String> protocols(ByteBuffer in, int p, int end) {
    if (p + 2 > end || p + 2 + u16(in, p) != end || p + 2 == end) {
      return null;
    }
    List<String> names = new ArrayList<>(4);
    for (int q = p + 2; q < end; ) {
      int length = u8(in, q);
      int name = q + 1;
      q = name + length;
      if (length == 0 || q > end) {
        return null;
      }
      names.add(ascii(in, name, length));
    }
    return names;
  }

  private static boolean printableAscii(ByteBuffer in, int from, int to) {
    for (int i = from; i < to; i++) {
      int b = in.get(i) & 0xff;
      if (b <= 0x20 || b >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static String ascii(ByteBuffer in, int from, int length) {
    byte[] bytes = new byte[length];
    in.get(from, bytes, 0, length);
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static int u8(ByteBuffer in, int i) {
    return in.get(i) & 0xff;
  }

  private static int u16(ByteBuffer in, int i) {
    return (in.get(i) & 0xff) << 8 | (in.get(i + 1) & 0xff);
  }

  private static int u24(ByteBuffer in, int i) {
    return (in.get(i) & 0xff) << 16 | (in.get(i + 1) & 0xff) << 8 | (in.get(i + 2) & 0xff);
  }
}

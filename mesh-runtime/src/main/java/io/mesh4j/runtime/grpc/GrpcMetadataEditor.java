package io.mesh4j.runtime.grpc;

import io.grpc.Metadata;
import io.mesh4j.runtime.view.HeaderEditor;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * Header mutations over gRPC {@link Metadata} (request headers of an attempt, response headers or trailers-only
 * trailers). Headers the transport owns are left alone, as Envoy leaves pseudo-headers and {@code host}: editing
 * them would either be rejected by grpc-java or break the call ({@code content-type}, {@code te}, the
 * {@code grpc-*} framing and status headers). Binary ({@code -bin}) headers take base64 values, as on the wire.
 */
public final class GrpcMetadataEditor implements HeaderEditor {
  /** Headers that are the transport's, not the application's; mutations skip them. */
  private static final Set<String> TRANSPORT_OWNED = Set.of("host", "te", "content-type", "user-agent",
      "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "grpc-status", "grpc-message",
      "grpc-status-details-bin");

  private final Metadata metadata;

  public GrpcMetadataEditor(Metadata metadata) {
    this.metadata = metadata;
  }

  /** Whether mutations may touch {@code name} on a gRPC call. */
  static boolean editable(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return !lower.isEmpty() && lower.charAt(0) != ':' && !TRANSPORT_OWNED.contains(lower);
  }

  @Override
  public boolean has(String name) {
    if (!editable(name)) {
      return false;
    }
    return isBinary(name) ? metadata.containsKey(binaryKey(name)) : metadata.containsKey(asciiKey(name));
  }

  @Override
  public void add(String name, String value) {
    if (!editable(name)) {
      return;
    }
    if (isBinary(name)) {
      byte[] bytes = decode(value);
      if (bytes != null) {
        metadata.put(binaryKey(name), bytes);
      }
    } else {
      metadata.put(asciiKey(name), value);
    }
  }

  @Override
  public void set(String name, String value) {
    if (!editable(name)) {
      return;
    }
    if (isBinary(name) && decode(value) == null) {
      return; // an undecodable value does not replace a good one
    }
    remove(name);
    add(name, value);
  }

  @Override
  public void remove(String name) {
    if (!editable(name)) {
      return;
    }
    if (isBinary(name)) {
      metadata.discardAll(binaryKey(name));
    } else {
      metadata.discardAll(asciiKey(name));
    }
  }

  private static boolean isBinary(String name) {
    return name.toLowerCase(Locale.ROOT).endsWith(Metadata.BINARY_HEADER_SUFFIX);
  }

  private static Metadata.Key<String> asciiKey(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }

  private static Metadata.Key<byte[]> binaryKey(String name) {
    return Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER);
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}

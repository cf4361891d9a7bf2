package io.mesh4j.runtime.grpc;

import io.grpc.Metadata;
import io.mesh4j.runtime.view.HeaderValues;
import io.mesh4j.runtime.view.RequestView;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A gRPC call as routing sees it: the path is {@code /package.Service/Method}, headers are the call's metadata. As
 * gRPC's xDS client does (gRFC A28), binary ({@code -bin}) headers are invisible to matchers, {@code content-type} is
 * {@code application/grpc}, and the method is {@code POST}.
 */
final class GrpcRequestView implements RequestView {
  /**
   * Metadata keys by header name. Matchers, hash policies and filters ask for the few names the configuration holds,
   * on every call; a key costs a validation and an allocation to make. Bounded, in case names keep changing.
   */
  private static final Map<String, Metadata.Key<String>> KEYS = new ConcurrentHashMap<>();
  private static final int MAX_CACHED_KEYS = 4096;
  /** {@code /} plus the full method name, by full method name: an application calls few methods, many times each. */
  private static final Map<String, String> PATHS = new ConcurrentHashMap<>();
  private static final int MAX_CACHED_PATHS = 4096;
  /** Stands for a name no metadata key can carry. */
  private static final Metadata.Key<String> INVALID_NAME =
      Metadata.Key.of("mesh4j-invalid-header-name", Metadata.ASCII_STRING_MARSHALLER);

  private final String authority;
  private final String path;
  private final Metadata headers;

  GrpcRequestView(String authority, String fullMethodName, Metadata headers) {
    this.authority = authority;
    this.path = path(fullMethodName);
    this.headers = headers;
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
    if (!lowerCaseName.isEmpty() && lowerCaseName.charAt(0) == ':') {
      switch (lowerCaseName) {
        case ":authority":
          return authority;
        case ":path":
          return path;
        case ":method":
          return "POST";
        case ":scheme":
          return "http";
        default:
          return null;
      }
    }
    if (lowerCaseName.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
      return null;
    }
    if (lowerCaseName.equals("content-type")) {
      return "application/grpc";
    }
    Metadata.Key<String> key = key(lowerCaseName);
    if (key == INVALID_NAME) {
      return null; // a name no metadata key can carry cannot be present
    }
    return HeaderValues.join(headers.getAll(key));
  }

  private static String path(String fullMethodName) {
    String path = PATHS.get(fullMethodName);
    if (path == null) {
      path = "/" + fullMethodName;
      if (PATHS.size() < MAX_CACHED_PATHS) {
        PATHS.putIfAbsent(fullMethodName, path);
      }
    }
    return path;
  }

  private static Metadata.Key<String> key(String lowerCaseName) {
    Metadata.Key<String> key = KEYS.get(lowerCaseName);
    if (key != null) {
      return key;
    }
    try {
      key = Metadata.Key.of(lowerCaseName, Metadata.ASCII_STRING_MARSHALLER);
    } catch (IllegalArgumentException invalidName) {
      key = INVALID_NAME;
    }
    if (KEYS.size() < MAX_CACHED_KEYS) {
      KEYS.putIfAbsent(lowerCaseName, key);
    }
    return key;
  }
}

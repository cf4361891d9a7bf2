package io.mesh4j.runtime.grpc;

import io.grpc.Metadata;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a request view over a gRPC call asks of its names on every call, cached: the metadata key for a header name
 * (a key costs a validation and an allocation to make, and policies ask for the few names their config holds) and
 * the {@code :path} of a method. Shared by the client side's routing view and the server side's inbound request.
 * Bounded, in case names keep changing.
 */
public final class GrpcHeaderNames {
  private static final int MAX_CACHED = 4096;
  private static final Map<String, Metadata.Key<String>> KEYS = new ConcurrentHashMap<>();
  /** {@code /} plus the full method name, by full method name: an application calls few methods, many times each. */
  private static final Map<String, String> PATHS = new ConcurrentHashMap<>();
  private static final Metadata.Key<String> INVALID_NAME =
      Metadata.Key.of("mesh4j-invalid-header-name", Metadata.ASCII_STRING_MARSHALLER);

  private GrpcHeaderNames() {}

  /** The {@code :path} of a call: {@code /package.Service/Method}. */
  public static String path(String fullMethodName) {
    String path = PATHS.get(fullMethodName);
    if (path == null) {
      path = "/" + fullMethodName;
      if (PATHS.size() < MAX_CACHED) {
        PATHS.putIfAbsent(fullMethodName, path);
      }
    }
    return path;
  }

  /** The ASCII metadata key for a lower-case header name, or null when no metadata key can carry that name. */
  public static Metadata.Key<String> key(String lowerCaseName) {
    Metadata.Key<String> key = KEYS.get(lowerCaseName);
    if (key == null) {
      try {
        key = Metadata.Key.of(lowerCaseName, Metadata.ASCII_STRING_MARSHALLER);
      } catch (IllegalArgumentException invalidName) {
        key = INVALID_NAME;
      }
      if (KEYS.size() < MAX_CACHED) {
        KEYS.putIfAbsent(lowerCaseName, key);
      }
    }
    return key == INVALID_NAME ? null : key;
  }
}

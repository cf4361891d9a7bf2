package io.mesh4j.runtime.policy;

import java.util.Map;

/**
 * The conditions of Envoy's {@code retry_on} (the {@code x-envoy-retry-on} and {@code x-envoy-retry-grpc-on} tokens),
 * as bits of one int so that a retry decision is a few mask tests.
 */
public final class RetryOn {
  public static final int FIVE_XX = 1;
  public static final int GATEWAY_ERROR = 1 << 1;
  public static final int RESET = 1 << 2;
  public static final int CONNECT_FAILURE = 1 << 3;
  public static final int RETRIABLE_4XX = 1 << 4;
  public static final int REFUSED_STREAM = 1 << 5;
  public static final int RETRIABLE_STATUS_CODES = 1 << 6;
  public static final int RETRIABLE_HEADERS = 1 << 7;
  public static final int RESET_BEFORE_REQUEST = 1 << 8;
  public static final int ENVOY_RATELIMITED = 1 << 9;
  /** No HTTP/3 here, so it never applies; accepted because it is a valid token. */
  public static final int HTTP3_POST_CONNECT_FAILURE = 1 << 10;
  public static final int GRPC_CANCELLED = 1 << 11;
  public static final int GRPC_DEADLINE_EXCEEDED = 1 << 12;
  public static final int GRPC_INTERNAL = 1 << 13;
  public static final int GRPC_RESOURCE_EXHAUSTED = 1 << 14;
  public static final int GRPC_UNAVAILABLE = 1 << 15;

  static final int ANY_GRPC =
      GRPC_CANCELLED | GRPC_DEADLINE_EXCEEDED | GRPC_INTERNAL | GRPC_RESOURCE_EXHAUSTED | GRPC_UNAVAILABLE;

  private static final Map<String, Integer> TOKENS = Map.ofEntries(
      Map.entry("5xx", FIVE_XX),
      Map.entry("gateway-error", GATEWAY_ERROR),
      Map.entry("reset", RESET),
      Map.entry("reset-before-request", RESET_BEFORE_REQUEST),
      Map.entry("connect-failure", CONNECT_FAILURE),
      Map.entry("envoy-ratelimited", ENVOY_RATELIMITED),
      Map.entry("retriable-4xx", RETRIABLE_4XX),
      Map.entry("refused-stream", REFUSED_STREAM),
      Map.entry("retriable-status-codes", RETRIABLE_STATUS_CODES),
      Map.entry("retriable-headers", RETRIABLE_HEADERS),
      Map.entry("http3-post-connect-failure", HTTP3_POST_CONNECT_FAILURE),
      Map.entry("cancelled", GRPC_CANCELLED),
      Map.entry("deadline-exceeded", GRPC_DEADLINE_EXCEEDED),
      Map.entry("internal", GRPC_INTERNAL),
      Map.entry("resource-exhausted", GRPC_RESOURCE_EXHAUSTED),
      Map.entry("unavailable", GRPC_UNAVAILABLE));

  private RetryOn() {}

  /** The bit of one token, or 0 when Envoy does not know it. */
  public static int token(String token) {
    Integer bit = TOKENS.get(token);
    return bit == null ? 0 : bit;
  }
}

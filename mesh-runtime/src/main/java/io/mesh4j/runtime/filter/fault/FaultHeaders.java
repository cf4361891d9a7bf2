package io.mesh4j.runtime.filter.fault;

/** The request headers that control faults when the config has {@code header_delay} / {@code header_abort}. */
final class FaultHeaders {
  static final String DELAY = "x-envoy-fault-delay-request";
  static final String DELAY_PERCENTAGE = "x-envoy-fault-delay-request-percentage";
  static final String ABORT = "x-envoy-fault-abort-request";
  static final String ABORT_GRPC = "x-envoy-fault-abort-grpc-request";
  static final String ABORT_PERCENTAGE = "x-envoy-fault-abort-request-percentage";
  /** What {@code downstream_nodes} is matched against (Envoy sets it from the downstream's service node). */
  static final String DOWNSTREAM_NODE = "x-envoy-downstream-service-node";

  private FaultHeaders() {}

  /**
   * The header's value as an unsigned decimal integer (surrounding spaces allowed, as absl::SimpleAtoi), or -1 when
   * absent, not a number or above {@link Integer#MAX_VALUE}. For a repeated header only the first value counts.
   */
  static long parseUnsigned(String header) {
    if (header == null) {
      return -1;
    }
    int comma = header.indexOf(',');
    String value = (comma >= 0 ? header.substring(0, comma) : header).trim();
    if (value.startsWith("+")) {
      value = value.substring(1);
    }
    if (value.isEmpty() || value.length() > 10) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n > Integer.MAX_VALUE ? -1 : n;
  }
}

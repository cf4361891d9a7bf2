package io.mesh4j.runtime.filter.fault;

/**
 * How an aborted request is answered, as Envoy's fault filter does: when an HTTP status is known (config or header)
 * it wins and the gRPC status is ignored; otherwise the answer is HTTP 200 carrying the gRPC status.
 *
 * @param httpStatus the status of the local reply
 * @param grpcStatus the gRPC status given by config or header, or -1 when the HTTP status decides
 */
public record AbortStatus(int httpStatus, int grpcStatus) {

  /** The response body Envoy's local reply carries. */
  public static final String BODY = "fault filter abort";

  /**
   * The gRPC status a gRPC call ends with: the configured one, else the HTTP status mapped as Envoy's and gRPC's
   * {@code httpToGrpcStatus} do (400 INTERNAL, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 UNIMPLEMENTED,
   * 429/502/503/504 UNAVAILABLE, anything else UNKNOWN).
   */
  public int grpcStatusForGrpcCall() {
    if (grpcStatus >= 0) {
      return grpcStatus;
    }
    return httpToGrpcStatus(httpStatus);
  }

  /** Envoy's Grpc::Utility::httpToGrpcStatus, as codes of {@code io.grpc.Status.Code}. */
  public static int httpToGrpcStatus(int httpStatus) {
    switch (httpStatus) {
      case 400:
        return 13; // INTERNAL
      case 401:
        return 16; // UNAUTHENTICATED
      case 403:
        return 7; // PERMISSION_DENIED
      case 404:
        return 12; // UNIMPLEMENTED
      case 429:
      case 502:
      case 503:
      case 504:
        return 14; // UNAVAILABLE
      default:
        return 2; // UNKNOWN
    }
  }
}

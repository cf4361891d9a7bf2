package io.mesh4j.samples.interop;

import io.grpc.Status;

/** gRPC's "HTTP to gRPC status code mapping" (doc/http-grpc-status-mapping.md), and back for the test server. */
final class HttpStatusMapping {
  private HttpStatusMapping() {}

  /** The gRPC code a client records for an HTTP response status. */
  static Status.Code toGrpc(int httpStatus) {
    switch (httpStatus) {
      case 200:
        return Status.Code.OK;
      case 400:
        return Status.Code.INTERNAL;
      case 401:
        return Status.Code.UNAUTHENTICATED;
      case 403:
        return Status.Code.PERMISSION_DENIED;
      case 404:
        return Status.Code.UNIMPLEMENTED;
      case 429:
      case 502:
      case 503:
      case 504:
        return Status.Code.UNAVAILABLE;
      default:
        return Status.Code.UNKNOWN;
    }
  }

  /**
   * The HTTP status the test server answers for {@code error-code-N}: one that maps back to N where the table has one
   * (OK, UNAUTHENTICATED, PERMISSION_DENIED, UNIMPLEMENTED, UNAVAILABLE, INTERNAL); otherwise 500, read as UNKNOWN.
   */
  static int toHttp(Status.Code code) {
    switch (code) {
      case OK:
        return 200;
      case INTERNAL:
        return 400;
      case UNAUTHENTICATED:
        return 401;
      case PERMISSION_DENIED:
        return 403;
      case UNIMPLEMENTED:
        return 404;
      case UNAVAILABLE:
        return 503;
      default:
        return 500;
    }
  }
}

package io.mesh4j.runtime.grpc;

import io.grpc.Status;
import io.mesh4j.runtime.cluster.ConnectFailures;
import io.mesh4j.runtime.policy.AttemptFailure;
import io.mesh4j.runtime.view.ResponseView;
import java.io.IOException;

/**
 * How one gRPC attempt's close reads to the shared retry and outlier decisions: either a failure of the transport
 * ({@link AttemptFailure}: the connect-failure / reset / refused-stream retry conditions) or a status the server
 * sent, which Envoy sees as {@code :status 200} with {@code grpc-status} (the gRPC retry conditions) and reports to
 * outlier detection as the HTTP status gRPC maps it to.
 */
final class GrpcOutcome {
  private GrpcOutcome() {}

  /**
   * The transport failure behind {@code status}, or {@code null} when the server answered with it. grpc-java gives
   * a transport failure an I/O cause (connect refused, connection reset) or an HTTP/2 RST_STREAM description; a
   * status from the server's trailers has neither.
   */
  static AttemptFailure transportFailure(Status status) {
    Throwable cause = status.getCause();
    if (status.getCode() == Status.Code.UNAVAILABLE && ConnectFailures.isConnectFailure(cause)) {
      return AttemptFailure.CONNECT_FAILURE;
    }
    String description = status.getDescription() == null ? "" : status.getDescription();
    if (description.contains("REFUSED_STREAM")) {
      return AttemptFailure.REFUSED_STREAM;
    }
    if (description.startsWith("RST_STREAM") || hasIoCause(cause)) {
      return AttemptFailure.RESET;
    }
    return null;
  }

  private static boolean hasIoCause(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  /** One view per status code: they depend on the code alone, so the call path allocates none. */
  private static final ResponseView[] RESPONSES = new ResponseView[Status.Code.values().length];

  static {
    for (Status.Code code : Status.Code.values()) {
      RESPONSES[code.ordinal()] = responseFor(code);
    }
  }

  /** A status the server sent, as the retry classifier reads a trailers-only response. */
  static ResponseView response(Status status) {
    return RESPONSES[status.getCode().ordinal()];
  }

  private static ResponseView responseFor(Status.Code statusCode) {
    String code = Integer.toString(statusCode.value());
    return new ResponseView() {
      @Override
      public int status() {
        return 200;
      }

      @Override
      public String header(String lowerCaseName) {
        return lowerCaseName.equals("grpc-status") ? code : null;
      }
    };
  }

  /** Envoy's {@code Grpc::Utility::grpcToHttpStatus}: what outlier detection counts a gRPC status as. */
  static int httpStatus(Status.Code code) {
    switch (code) {
      case OK:
        return 200;
      case CANCELLED:
        return 499;
      case INVALID_ARGUMENT:
      case FAILED_PRECONDITION:
      case OUT_OF_RANGE:
        return 400;
      case DEADLINE_EXCEEDED:
        return 504;
      case NOT_FOUND:
        return 404;
      case ALREADY_EXISTS:
      case ABORTED:
        return 409;
      case PERMISSION_DENIED:
        return 403;
      case RESOURCE_EXHAUSTED:
        return 429;
      case UNIMPLEMENTED:
        return 501;
      case UNAVAILABLE:
        return 503;
      case UNAUTHENTICATED:
        return 401;
      default: // UNKNOWN, INTERNAL, DATA_LOSS
        return 500;
    }
  }
}

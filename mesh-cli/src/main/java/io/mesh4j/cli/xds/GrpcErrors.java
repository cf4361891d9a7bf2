package io.mesh4j.cli.xds;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** One line for a failed gRPC call: the code, the description and the root cause ({@code Connection refused}). */
public final class GrpcErrors {
  private GrpcErrors() {}

  public static String describe(Throwable t) {
    Status status = Status.fromThrowable(t);
    StringBuilder line = new StringBuilder(status.getCode().name());
    if (status.getDescription() != null) {
      line.append(": ").append(status.getDescription());
    }
    Throwable root = t instanceof StatusRuntimeException ? t.getCause() : t;
    while (root != null && root.getCause() != null) {
      root = root.getCause();
    }
    if (root != null && root.getMessage() != null && !root.getMessage().equals(status.getDescription())) {
      line.append(" (").append(root.getMessage()).append(')');
    }
    // Some failures (an HTTP proxy's 404 page) describe themselves over several lines; a table note is one.
    return line.toString().replaceAll("\\s*\\R\\s*", "; ");
  }
}

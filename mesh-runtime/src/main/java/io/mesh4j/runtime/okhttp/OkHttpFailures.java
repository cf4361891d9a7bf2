package io.mesh4j.runtime.okhttp;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.policy.AttemptFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * How an OkHttp attempt's failure counts, by the exception's type and by whether the attempt had a connection
 * ({@link RoutedAttempt}), never by its message.
 */
final class OkHttpFailures {
  private OkHttpFailures() {}

  /**
   * @param connected whether OkHttp had a connection for the attempt when it failed
   * @return how the failure counts for retry_on and outlier detection, or {@code null} when it is not the upstream's
   *     doing (the mesh's own refusal, the call cancelled)
   */
  static AttemptFailure classify(IOException failure, boolean connected, boolean canceled) {
    if (failure instanceof MeshRoutingException || canceled) {
      return null;
    }
    if (!connected && (failure instanceof SocketTimeoutException || isUnreachable(failure))) {
      return AttemptFailure.CONNECT_FAILURE;
    }
    if (failure instanceof SocketTimeoutException) {
      return AttemptFailure.TIMEOUT;
    }
    if (isUnreachable(failure)) {
      return AttemptFailure.CONNECT_FAILURE;
    }
    // OkHttp's HTTP/2 stream reset (REFUSED_STREAM among them) has no public type: OkHttp retries a refused stream on
    // a new stream itself, so what reaches the mesh counts as a reset.
    return AttemptFailure.RESET;
  }

  /**
   * Whether the endpoint did not accept or keep the connection, so it leaves rotation until a probe connects: refused,
   * unreachable, a connect timeout, or the connection reset or broken before a response (a socket error anywhere in
   * the cause chain).
   */
  static boolean leavesRotation(IOException failure, boolean connected, boolean canceled) {
    if (failure instanceof MeshRoutingException || canceled) {
      return false;
    }
    if (!connected && failure instanceof SocketTimeoutException) {
      return true;
    }
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SocketException) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUnreachable(IOException failure) {
    return failure instanceof ConnectException || failure instanceof NoRouteToHostException
        || failure instanceof PortUnreachableException;
  }
}

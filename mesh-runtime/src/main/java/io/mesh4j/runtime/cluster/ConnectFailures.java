package io.mesh4j.runtime.cluster;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Locale;

/**
 * Which call failures (OkHttp's or gRPC's) mean the endpoint did not accept or keep the connection (so it should leave rotation
 * until it accepts connections again, like gRPC's TRANSIENT_FAILURE): refused, unreachable, connect timeout, or reset
 * before a response. Read timeouts and protocol errors are not connectivity and do not count.
 */
public final class ConnectFailures {
  private ConnectFailures() {}

  public static boolean isConnectFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof NoRouteToHostException
          || t instanceof PortUnreachableException) {
        return true;
      }
      String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (t instanceof SocketTimeoutException && message.startsWith("connect timed out")) {
        return true;
      }
      if (t instanceof SocketException && (message.contains("reset") || message.contains("broken pipe"))) {
        return true;
      }
      if (t == t.getCause()) {
        break;
      }
    }
    return false;
  }
}

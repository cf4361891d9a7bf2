package io.mesh4j.runtime.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Opens a plain TCP connection to probe whether an endpoint accepts connections again. */
@FunctionalInterface
public interface Connector {

  /** Whether a TCP connection to {@code host:port} was established within {@code timeout} (it is closed at once). */
  boolean canConnect(String host, int port, Duration timeout);

  /** A real socket connect. */
  Connector TCP = (host, port, timeout) -> {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
      return true;
    } catch (IOException e) {
      return false;
    }
  };
}

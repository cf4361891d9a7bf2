package io.mesh4j.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports a test names before its server binds them (a server under the mesh must know its port before its listener
 * arrives). They are taken below the kernel's ephemeral range: a port asked of the kernel with {@code bind(0)} comes
 * from that range, so between the probe and the server's bind any outgoing connection of the same machine could be
 * given it as its local port; below the range only an explicit bind can take it.
 */
public final class FreePorts {
  private static final int LOWEST = 20_000;
  private static final int FALLBACK_EPHEMERAL_START = 32_768;
  private static final int ATTEMPTS = 200;

  private FreePorts() {}

  /** A port nothing listens on, on any address, right now. */
  public static int next() {
    int end = ephemeralRangeStart();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < ATTEMPTS && end > LOWEST; i++) {
      int candidate = random.nextInt(LOWEST, end);
      if (bindable(candidate)) {
        return candidate;
      }
    }
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int ephemeralRangeStart() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return FALLBACK_EPHEMERAL_START;
    }
  }
}

package io.mesh4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP relay on loopback between an instance and its control plane that can hold what the control plane sends:
 * while held, bytes from upstream wait in the relay (TCP keeps the connection up), as on a link that stalled without
 * breaking. The instance falls behind the control plane until {@link #release()}.
 */
final class HoldingRelay implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "holding-relay");
    t.setDaemon(true);
    return t;
  });
  private final Object gate = new Object();
  private boolean held;

  HoldingRelay(int targetPort) {
    this.targetPort = targetPort;
    try {
      server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    executor.execute(this::accept);
  }

  String hostPort() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** From now on, what the control plane sends waits in the relay. */
  void hold() {
    synchronized (gate) {
      held = true;
    }
  }

  /** Lets everything held through, and what follows. */
  void release() {
    synchronized (gate) {
      held = false;
      gate.notifyAll();
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(client);
        sockets.add(upstream);
        executor.execute(() -> pipe(client, upstream, false));
        executor.execute(() -> pipe(upstream, client, true));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pipe(Socket from, Socket to, boolean holdable) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (holdable) {
          synchronized (gate) {
            while (held) {
              gate.wait();
            }
          }
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // One side closed; the other side's pipe ends with its socket.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Already closed.
    }
  }

  @Override
  public void close() {
    release();
    try {
      server.close();
    } catch (IOException ignored) {
      // Already closed.
    }
    sockets.forEach(HoldingRelay::closeQuietly);
    executor.shutdownNow();
  }
}

package io.mesh4j.runtime.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 server on a loopback port (raw sockets, one request per connection) that misbehaves on command.
 * The request header {@code x-test-behavior} (else the server's default) selects what it does:
 *
 * <ul>
 *   <li>{@code ok}: 200 with the server's name as the body;
 *   <li>{@code status-<code>}: that status;
 *   <li>{@code status-<code>-grpc-<n>}: that status with the response header {@code grpc-status: <n>} (an HTTP/1.1
 *       service reporting a gRPC status, as a gateway does);
 *   <li>{@code stall-<ms>}: waits before sending anything, then 200;
 *   <li>{@code body-stall-<ms>}: sends the headers and half the body, waits, then the rest;
 *   <li>{@code reset}: closes the connection with a TCP reset before answering;
 *   <li>{@code until-attempt-<n>:<behavior>}: behaves so for the first n-1 requests carrying the same
 *       {@code x-test-id}, then answers {@code ok}; {@code succeed-on-attempt-<n>} is
 *       {@code until-attempt-<n>:status-503}.
 * </ul>
 *
 * Every answer carries {@code x-served-by}; the server counts requests and keeps their headers.
 */
public final class BehavingHttpServer implements AutoCloseable {
  private final String name;
  private final String defaultBehavior;
  private final ServerSocket server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "behaving-http-server");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger requests = new AtomicInteger();
  private final Map<String, AtomicInteger> attemptsById = new ConcurrentHashMap<>();
  private final List<Map<String, String>> received = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  private BehavingHttpServer(String name, String defaultBehavior) {
    this.name = name;
    this.defaultBehavior = defaultBehavior;
    try {
      server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    executor.execute(this::acceptLoop);
  }

  public static BehavingHttpServer start(String name) {
    return new BehavingHttpServer(name, "ok");
  }

  /** @param defaultBehavior what to do when a request names no behavior */
  public static BehavingHttpServer start(String name, String defaultBehavior) {
    return new BehavingHttpServer(name, defaultBehavior);
  }

  public String hostPort() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  public String name() {
    return name;
  }

  /** Requests received (fully read), whatever was answered. */
  public int requests() {
    return requests.get();
  }

  /** The headers of every request received, names in lower case. */
  public List<Map<String, String>> received() {
    return List.copyOf(received);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        open.add(socket);
        executor.execute(() -> serve(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      Map<String, String> headers = readRequest(in);
      if (headers == null) {
        return;
      }
      requests.incrementAndGet();
      received.add(headers);
      String behavior = headers.getOrDefault("x-test-behavior", defaultBehavior);
      if (behavior.startsWith("succeed-on-attempt-")) {
        behavior = "until-attempt-" + behavior.substring("succeed-on-attempt-".length()) + ":status-503";
      }
      if (behavior.startsWith("until-attempt-")) {
        int colon = behavior.indexOf(':');
        int n = Integer.parseInt(behavior.substring("until-attempt-".length(), colon));
        int attempt = attemptsById.computeIfAbsent(headers.getOrDefault("x-test-id", ""), k -> new AtomicInteger())
            .incrementAndGet();
        behavior = attempt < n ? behavior.substring(colon + 1) : "ok";
      }
      act(behavior, socket);
    } catch (IOException | InterruptedException e) {
      // the client went away, or the server is closing
    } finally {
      open.remove(socket);
    }
  }

  private void act(String behavior, Socket socket) throws IOException, InterruptedException {
    OutputStream out = socket.getOutputStream();
    byte[] body = name.getBytes(StandardCharsets.UTF_8);
    if (behavior.equals("reset")) {
      socket.setSoLinger(true, 0);
      return; // closing with linger 0 sends RST
    }
    if (behavior.startsWith("status-")) {
      String code = behavior.substring("status-".length());
      int grpc = code.indexOf("-grpc-");
      if (grpc >= 0) {
        String grpcStatus = "grpc-status: " + code.substring(grpc + "-grpc-".length()) + "\r\n";
        write(out, Integer.parseInt(code.substring(0, grpc)), body, grpcStatus);
      } else {
        write(out, Integer.parseInt(code), body);
      }
      return;
    }
    if (behavior.startsWith("stall-")) {
      Thread.sleep(Long.parseLong(behavior.substring("stall-".length())));
      write(out, 200, body);
      return;
    }
    if (behavior.startsWith("body-stall-")) {
      byte[] big = new byte[64];
      java.util.Arrays.fill(big, (byte) 'x');
      out.write(head(200, big.length));
      out.write(big, 0, 32);
      out.flush();
      Thread.sleep(Long.parseLong(behavior.substring("body-stall-".length())));
      out.write(big, 32, 32);
      out.flush();
      return;
    }
    write(out, 200, body);
  }

  private void write(OutputStream out, int status, byte[] body) throws IOException {
    write(out, status, body, "");
  }

  private void write(OutputStream out, int status, byte[] body, String extraHeaders) throws IOException {
    out.write(head(status, body.length, extraHeaders));
    out.write(body);
    out.flush();
  }

  private byte[] head(int status, int length) {
    return head(status, length, "");
  }

  private byte[] head(int status, int length, String extraHeaders) {
    return ("HTTP/1.1 " + status + " Behaving\r\nContent-Length: " + length + "\r\nx-served-by: " + name
        + "\r\n" + extraHeaders + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Reads the request line, headers and a Content-Length body; null at end of stream. */
  private static Map<String, String> readRequest(InputStream in) throws IOException {
    String requestLine = line(in);
    if (requestLine == null || requestLine.isEmpty()) {
      return null;
    }
    Map<String, String> headers = new HashMap<>();
    for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
      int colon = l.indexOf(':');
      headers.merge(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim(),
          (a, b) -> a + "," + b);
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    in.readNBytes(length);
    return headers;
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1; b = in.read()) {
      if (b == '\n') {
        String s = bytes.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      bytes.write(b);
    }
    return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket socket : open) {
      try {
        socket.close();
      } catch (SocketException e) {
        // already closed
      } catch (IOException e) {
        // closing anyway
      }
    }
    executor.shutdownNow();
  }
}

package io.mesh4j.samples.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * A service behind the gateway (the in-mesh {@code orders}, or the on-premises {@code ledger} over HTTPS). Every
 * request's body is read as it arrives and answered with what arrived (byte count and SHA-256) and who called
 * ({@code x-partner-email}, set by jwt_authn); {@code .../download?bytes=N} answers N bytes of a known pattern,
 * written as they are made. Neither direction holds a body in memory.
 */
final class Backend implements AutoCloseable {
  static final String DOWNLOAD_SUFFIX = "/download";
  private static final int CHUNK = 64 * 1024;

  /** What a test may watch: the bytes of a body so far, called on the server's thread after each chunk. */
  interface StreamHooks {
    StreamHooks NONE = new StreamHooks() {};

    default void requestBytes(long soFar) {}

    default void responseBytes(long soFar) {}
  }

  private final String name;
  private final HttpServer server;
  private final ExecutorService executor;
  private final StreamHooks hooks;

  private Backend(String name, HttpServer server, StreamHooks hooks) {
    this.name = name;
    this.server = server;
    this.hooks = hooks;
    this.executor = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "backend-" + name);
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A plaintext service on {@code 127.0.0.1:port} ({@code 0}: any free port). */
  static Backend start(String name, int port, StreamHooks hooks) throws IOException {
    return new Backend(name, HttpServer.create(loopback(port), 0), hooks);
  }

  /** An HTTPS service on {@code 127.0.0.1:port}, presenting the certificate of {@code tls}. */
  static Backend startTls(String name, int port, SSLContext tls, StreamHooks hooks) throws IOException {
    HttpsServer server = HttpsServer.create(loopback(port), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    return new Backend(name, server, hooks);
  }

  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  int port() {
    return server.getAddress().getPort();
  }

  String name() {
    return name;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      URI uri = exchange.getRequestURI();
      if (uri.getPath().endsWith(DOWNLOAD_SUFFIX)) {
        drain(exchange.getRequestBody(), StreamHooks.NONE);
        download(exchange, bytesParameter(uri.getRawQuery()));
        return;
      }
      MessageDigest digest = sha256();
      long received = drain(exchange.getRequestBody(), digest, hooks);
      String partner = exchange.getRequestHeaders().getFirst("x-partner-email");
      String body = "{\"service\":\"" + name + "\",\"method\":\"" + exchange.getRequestMethod()
          + "\",\"path\":\"" + uri.getRawPath() + "\",\"partner\":\"" + (partner == null ? "" : partner)
          + "\",\"host\":\"" + exchange.getRequestHeaders().getFirst("Host")
          + "\",\"tls\":" + (server instanceof HttpsServer)
          + ",\"assertionForwarded\":" + exchange.getRequestHeaders().containsKey("x-goog-iap-jwt-assertion")
          + ",\"received\":" + received + ",\"sha256\":\"" + HexFormat.of().formatHex(digest.digest()) + "\"}\n";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.getResponseHeaders().set("x-served-by", name);
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private void download(HttpExchange exchange, long size) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
    exchange.getResponseHeaders().set("x-served-by", name);
    exchange.sendResponseHeaders(200, 0); // chunked: the length is not announced, the body is made as it goes
    byte[] chunk = new byte[CHUNK];
    try (OutputStream out = exchange.getResponseBody()) {
      for (long sent = 0; sent < size; ) {
        int n = (int) Math.min(CHUNK, size - sent);
        Pattern.fill(chunk, sent, n);
        out.write(chunk, 0, n);
        out.flush();
        sent += n;
        hooks.responseBytes(sent);
      }
    }
  }

  private static long drain(InputStream in, StreamHooks hooks) throws IOException {
    return drain(in, null, hooks);
  }

  private static long drain(InputStream in, MessageDigest digest, StreamHooks hooks) throws IOException {
    byte[] buffer = new byte[CHUNK];
    long total = 0;
    for (int n; (n = in.read(buffer)) > 0; ) {
      if (digest != null) {
        digest.update(buffer, 0, n);
      }
      total += n;
      hooks.requestBytes(total);
    }
    return total;
  }

  private static long bytesParameter(String query) {
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("bytes=")) {
          return Long.parseLong(pair.substring("bytes=".length()));
        }
      }
    }
    return 1024;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** The download body: byte {@code i} is {@code i * 31 + 7} (mod 256), so either side can check it without a copy. */
  static final class Pattern {
    private Pattern() {}

    static void fill(byte[] chunk, long offset, int length) {
      for (int i = 0; i < length; i++) {
        chunk[i] = (byte) ((offset + i) * 31 + 7);
      }
    }

    /** The SHA-256 of the first {@code size} bytes of the pattern. */
    static String sha256(long size) {
      MessageDigest digest = Backend.sha256();
      byte[] chunk = new byte[CHUNK];
      for (long done = 0; done < size; ) {
        int n = (int) Math.min(CHUNK, size - done);
        fill(chunk, done, n);
        digest.update(chunk, 0, n);
        done += n;
      }
      return HexFormat.of().formatHex(digest.digest());
    }
  }
}

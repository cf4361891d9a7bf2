package io.mesh4j.spring;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback HTTP server for streaming: {@code POST /upload} digests the body as it arrives and answers
 * "{@code <bytes> <sha-256>}"; {@code GET /download?bytes=N} writes N pattern bytes as the client takes them;
 * {@code GET /endless} writes until the client goes away. It counts what it has read and written so far.
 */
public final class StreamingHttpServer implements AutoCloseable {
  public static final int CHUNK = 64 * 1024;

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final CountDownLatch endlessClientGone = new CountDownLatch(1);

  public StreamingHttpServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/upload", exchange -> {
      MessageDigest digest = sha256();
      byte[] buffer = new byte[CHUNK];
      long total = 0;
      try (InputStream in = exchange.getRequestBody()) {
        for (int n; (n = in.read(buffer)) != -1; ) {
          digest.update(buffer, 0, n);
          total += n;
          received.addAndGet(n);
        }
      }
      byte[] answer = (total + " " + HexFormat.of().formatHex(digest.digest())).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    });
    server.createContext("/download", exchange -> {
      long bytes = Long.parseLong(exchange.getRequestURI().getQuery().substring("bytes=".length()));
      exchange.sendResponseHeaders(200, bytes);
      try (OutputStream out = exchange.getResponseBody()) {
        for (long offset = 0; offset < bytes; offset += CHUNK) {
          byte[] chunk = pattern(offset, (int) Math.min(CHUNK, bytes - offset));
          out.write(chunk);
          written.addAndGet(chunk.length);
        }
      }
    });
    server.createContext("/endless", exchange -> {
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        for (long offset = 0; ; offset += CHUNK) {
          out.write(pattern(offset, CHUNK));
          out.flush();
        }
      } catch (IOException e) {
        endlessClientGone.countDown();
      }
    });
    server.setExecutor(executor);
    server.start();
  }

  /** The bytes at {@code offset} of every body this server and its tests exchange. */
  public static byte[] pattern(long offset, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) ((offset + i) % 251);
    }
    return bytes;
  }

  public static String sha256Of(long total) {
    MessageDigest digest = sha256();
    for (long offset = 0; offset < total; offset += CHUNK) {
      digest.update(pattern(offset, (int) Math.min(CHUNK, total - offset)));
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public String hostPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  public long received() {
    return received.get();
  }

  public long written() {
    return written.get();
  }

  public CountDownLatch endlessClientGone() {
    return endlessClientGone;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

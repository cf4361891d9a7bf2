package io.mesh4j.runtime.testing;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;

/**
 * A JDK HTTPS server on loopback with plain JSSE (no mesh code): it presents {@code identity}, and, when
 * {@code clientRoots} are given, requires a client certificate chaining to one of them. Answers with its name and
 * remembers the serial numbers of the client certificates it has seen, per TLS session.
 */
public final class MtlsHttpServer implements AutoCloseable {
  private final HttpsServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final Set<String> clientSerials = ConcurrentHashMap.newKeySet();
  private final AtomicReference<String> lastClientSerial = new AtomicReference<>();
  private final AtomicReference<String> lastSni = new AtomicReference<>();

  private MtlsHttpServer(String name, TestPki.Leaf identity, List<X509Certificate> clientRoots) {
    try {
      SSLContext context = sslContext(identity, clientRoots);
      server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
      server.setHttpsConfigurator(new HttpsConfigurator(context) {
        @Override
        public void configure(HttpsParameters params) {
          SSLParameters ssl = context.getDefaultSSLParameters();
          ssl.setNeedClientAuth(!clientRoots.isEmpty());
          params.setSSLParameters(ssl);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] body = name.getBytes(StandardCharsets.UTF_8);
    server.createContext("/", exchange -> {
      SSLSession session = ((HttpsExchange) exchange).getSSLSession();
      try {
        Certificate[] peer = session.getPeerCertificates();
        String serial = ((X509Certificate) peer[0]).getSerialNumber().toString(16);
        clientSerials.add(serial);
        lastClientSerial.set(serial);
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        lastClientSerial.set(null);
      }
      if (session instanceof javax.net.ssl.ExtendedSSLSession extended) {
        lastSni.set(extended.getRequestedServerNames().isEmpty() ? null
            : new String(extended.getRequestedServerNames().get(0).getEncoded(), StandardCharsets.US_ASCII));
      }
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.setExecutor(executor);
    server.start();
  }

  /** Requires client certificates chaining to {@code clientRoots}; one-way TLS when none are given. */
  public static MtlsHttpServer start(String name, TestPki.Leaf identity, X509Certificate... clientRoots) {
    return new MtlsHttpServer(name, identity, List.of(clientRoots));
  }

  public static SSLContext sslContext(TestPki.Leaf identity, List<X509Certificate> clientRoots) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("server", identity.privateKey(), new char[0], identity.chain().toArray(new Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < clientRoots.size(); i++) {
        trust.setCertificateEntry("root" + i, clientRoots.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String hostPort() {
    return "127.0.0.1:" + port();
  }

  /** Serial numbers (hex) of every client certificate seen. */
  public Set<String> clientSerials() {
    return Set.copyOf(clientSerials);
  }

  public String lastClientSerial() {
    return lastClientSerial.get();
  }

  /** The SNI the last request's connection sent, or {@code null}. */
  public String lastSni() {
    return lastSni.get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

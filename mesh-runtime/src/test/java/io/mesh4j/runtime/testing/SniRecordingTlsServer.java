package io.mesh4j.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.TrustManagerFactory;

/**
 * A JSSE TLS server on loopback that completes handshakes (offering {@code h2} by ALPN, asking for a client
 * certificate from {@code clientRoot}) and records the server name (SNI) each client hello asked for, then closes
 * the connection. What a real server sees, for clients whose SNI matters more than the exchange after it.
 */
public final class SniRecordingTlsServer implements AutoCloseable {
  private final SSLServerSocket socket;
  private final List<String> serverNames = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private SniRecordingTlsServer(TestPki.Leaf identity, X509Certificate clientRoot) throws Exception {
    char[] password = "test".toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("server", identity.privateKey(), password, identity.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, password);
    KeyStore roots = KeyStore.getInstance("PKCS12");
    roots.load(null, null);
    roots.setCertificateEntry("root", clientRoot);
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(roots);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    socket = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
        InetAddress.getLoopbackAddress());
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setSNIMatchers(List.of(new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
      @Override
      public boolean matches(SNIServerName name) {
        serverNames.add(name instanceof SNIHostName host ? host.getAsciiName() : name.toString());
        return true;
      }
    }));
    parameters.setApplicationProtocols(new String[] {"h2"});
    parameters.setWantClientAuth(true);
    socket.setSSLParameters(parameters);
    acceptor = new Thread(this::accept, "sni-recording-tls-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public static SniRecordingTlsServer start(TestPki.Leaf identity, X509Certificate clientRoot) {
    try {
      return new SniRecordingTlsServer(identity, clientRoot);
    } catch (Exception e) {
      throw new IllegalStateException("could not start the TLS server", e);
    }
  }

  private void accept() {
    while (!socket.isClosed()) {
      try (SSLSocket client = (SSLSocket) socket.accept()) {
        client.setSoTimeout(5_000);
        client.startHandshake();
      } catch (IOException e) {
        // A failed handshake or a closed server: the next client, or the end.
      }
    }
  }

  /** The server names asked for, one per client hello that carried one, oldest first. */
  public List<String> serverNames() {
    return List.copyOf(serverNames);
  }

  /** {@code 127.0.0.1:port}, as an endpoint address. */
  public String hostPort() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

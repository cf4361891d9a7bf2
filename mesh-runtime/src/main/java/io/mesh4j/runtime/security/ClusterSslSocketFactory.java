package io.mesh4j.runtime.security;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The socket factory of one upstream TLS context: sockets from the rotating SSL context, restricted to the
 * configured protocol versions and cipher suites, sending the configured SNI (the URL's host is an endpoint IP,
 * for which nothing would be sent). The HTTP client then narrows versions and suites further with its own
 * connection specs and sets ALPN.
 */
final class ClusterSslSocketFactory extends SSLSocketFactory {
  private static final List<String> VERSIONS = List.of("TLSv1.2", "TLSv1.3");

  private final SSLSocketFactory delegate;
  private final String[] protocols;
  private final String[] cipherSuites;
  private final List<SNIServerName> serverNames;

  ClusterSslSocketFactory(SSLSocketFactory delegate, String minVersion, String maxVersion, List<String> ciphers,
      String sni) {
    this.delegate = delegate;
    List<String> versions = new ArrayList<>();
    for (String v : VERSIONS) {
      if (v.compareTo(minVersion) >= 0 && v.compareTo(maxVersion) <= 0) {
        versions.add(v);
      }
    }
    this.protocols = versions.toArray(new String[0]);
    if (ciphers.isEmpty()) {
      this.cipherSuites = null;
    } else {
      List<String> suites = new ArrayList<>();
      for (String s : delegate.getSupportedCipherSuites()) {
        // Envoy's cipher_suites apply to TLS 1.2 and below; TLS 1.3 keeps its suites.
        if (s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_")) {
          suites.add(s);
        }
      }
      suites.addAll(ciphers);
      this.cipherSuites = suites.toArray(new String[0]);
    }
    this.serverNames = sni.isEmpty() ? List.of() : List.of(new SNIHostName(sni));
  }

  private Socket configure(Socket socket) {
    SSLSocket ssl = (SSLSocket) socket;
    SSLParameters params = ssl.getSSLParameters();
    params.setProtocols(protocols);
    if (cipherSuites != null) {
      params.setCipherSuites(cipherSuites);
    }
    params.setServerNames(serverNames);
    params.setEndpointIdentificationAlgorithm(null); // peers are identified by SAN matchers, in the trust manager
    ssl.setSSLParameters(params);
    return ssl;
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return cipherSuites != null ? cipherSuites.clone() : delegate.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }

  @Override
  public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
    return configure(delegate.createSocket(s, host, port, autoClose));
  }

  @Override
  public Socket createSocket() throws IOException {
    return configure(delegate.createSocket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return configure(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return configure(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return configure(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return configure(delegate.createSocket(address, port, localAddress, localPort));
  }
}

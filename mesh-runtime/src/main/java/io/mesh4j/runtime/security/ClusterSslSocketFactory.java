package io.mesh4j.runtime.security;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
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
  private final SSLSessionContext sessions;
  private final List<MaterialSource> sources;
  private volatile CertificateMaterial[] sessionsFrom;
  private final String[] protocols;
  private final String[] cipherSuites;
  private final List<SNIServerName> serverNames;

  ClusterSslSocketFactory(SSLContext context, List<MaterialSource> sources, String minVersion, String maxVersion,
      List<String> ciphers, String sni) {
    this.delegate = context.getSocketFactory();
    this.sessions = context.getClientSessionContext();
    this.sources = List.copyOf(sources);
    this.sessionsFrom = currentMaterials();
    this.protocols = protocols(minVersion, maxVersion);
    this.cipherSuites = ciphers.isEmpty() ? null : withTls13Suites(delegate.getSupportedCipherSuites(), ciphers);
    this.serverNames = sni.isEmpty() ? List.of() : List.of(serverName(sni));
  }

  /** The JSSE protocol names from {@code minVersion} to {@code maxVersion}. */
  static String[] protocols(String minVersion, String maxVersion) {
    List<String> versions = new ArrayList<>();
    for (String v : VERSIONS) {
      if (v.compareTo(minVersion) >= 0 && v.compareTo(maxVersion) <= 0) {
        versions.add(v);
      }
    }
    return versions.toArray(new String[0]);
  }

  /** Envoy's {@code cipher_suites} apply to TLS 1.2 and below; TLS 1.3 keeps its suites. */
  static String[] withTls13Suites(String[] supported, List<String> ciphers) {
    List<String> suites = new ArrayList<>();
    for (String s : supported) {
      if (s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_")) {
        suites.add(s);
      }
    }
    suites.addAll(ciphers);
    return suites.toArray(new String[0]);
  }

  /**
   * The JDK's {@link SNIHostName} accepts only LDH host names, but istiod's SNI looks like
   * {@code outbound_.8080_._.catalog.shop.svc.cluster.local}, which Envoy sends and accepts as is. Such names are
   * sent as raw host_name bytes. (A JDK server refuses them; Envoy and Go servers take them.)
   */
  static SNIServerName serverName(String sni) {
    try {
      return new SNIHostName(sni);
    } catch (IllegalArgumentException notLdh) {
      return new RawHostName(sni.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
  }

  private static final class RawHostName extends SNIServerName {
    RawHostName(byte[] encoded) {
      super(javax.net.ssl.StandardConstants.SNI_HOST_NAME, encoded);
    }
  }

  private CertificateMaterial[] currentMaterials() {
    CertificateMaterial[] now = new CertificateMaterial[sources.size()];
    for (int i = 0; i < now.length; i++) {
      now[i] = sources.get(i).current();
    }
    return now;
  }

  /**
   * A resumed session keeps the identities of the handshake it came from: after a rotation of our certificate or
   * of the roots, cached sessions are dropped so the next connection does a full handshake with the new material.
   */
  private void forgetSessionsAfterRotation() {
    CertificateMaterial[] before = sessionsFrom;
    boolean changed = false;
    for (int i = 0; i < before.length && !changed; i++) {
      changed = sources.get(i).current() != before[i];
    }
    if (!changed) {
      return;
    }
    sessionsFrom = currentMaterials();
    for (Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements(); ) {
      SSLSession session = sessions.getSession(ids.nextElement());
      if (session != null) {
        session.invalidate();
      }
    }
  }

  private Socket configure(Socket socket) {
    forgetSessionsAfterRotation();
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

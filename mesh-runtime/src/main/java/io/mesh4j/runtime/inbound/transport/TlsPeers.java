package io.mesh4j.runtime.inbound.transport;

import io.mesh4j.MeshPeer;
import io.mesh4j.runtime.inbound.PeerIdentity;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** The peer of a TLS session, as RBAC and as the application see it. */
public final class TlsPeers {
  private TlsPeers() {}

  /** The verified client chain's identity, or null when the client presented none. */
  public static PeerIdentity identity(SSLSession session) {
    if (session == null) {
      return null;
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException noClientCertificate) {
      return null;
    }
    X509Certificate[] x509 = new X509Certificate[chain.length];
    for (int i = 0; i < chain.length; i++) {
      if (!(chain[i] instanceof X509Certificate certificate)) {
        return null;
      }
      x509[i] = certificate;
    }
    return PeerIdentity.of(x509);
  }

  public static MeshPeer forApplication(PeerIdentity identity) {
    return identity == null ? null
        : new MeshPeer(identity.principalName(), identity.uriSans(), identity.dnsSans(), identity.subject(),
            identity.chain());
  }
}

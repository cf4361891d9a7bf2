package io.mesh4j.runtime.security;

import io.mesh4j.runtime.security.PeerCertificateException.Check;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Checks peers against the current trust bundle of a {@link MaterialSource} and the SAN matchers, at every
 * handshake: a new bundle applies to the next handshake. A bundle that holds the old and the new root during a
 * CA rotation accepts chains to either. No host name check: peers are identified by their SANs (SPIFFE IDs), as
 * Envoy does.
 *
 * <p>Each refusal is a {@link PeerCertificateException} naming the check, so the handshake fails and the transport
 * can report why. Revocation is not checked (Envoy checks CRLs only when configured; we reject {@code crl}).
 */
final class RotatingTrustManager extends X509ExtendedTrustManager {
  private final MaterialSource roots;
  private final SanMatcher sans;
  private final Clock clock;
  private volatile Anchors anchors;

  /** @param roots the trust bundle, or {@code null} to accept any certificate (Envoy without a validation context) */
  RotatingTrustManager(MaterialSource roots, SanMatcher sans, Clock clock) {
    this.roots = roots;
    this.sans = sans;
    this.clock = clock;
  }

  private record Anchors(CertificateMaterial material, Set<TrustAnchor> anchors) {}

  void check(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new PeerCertificateException(Check.NO_CERTIFICATE, "the peer presented no certificate");
    }
    if (roots == null) {
      return;
    }
    CertificateMaterial material = roots.current();
    if (material == null || !material.hasRoots()) {
      throw new PeerCertificateException(Check.NO_TRUST_MATERIAL, "no trust bundle loaded yet from "
          + roots.description());
    }
    Date now = Date.from(clock.instant());
    for (int i = 0; i < chain.length; i++) {
      try {
        chain[i].checkValidity(now);
      } catch (CertificateExpiredException e) {
        throw new PeerCertificateException(Check.EXPIRED, "peer certificate[" + i + "] "
            + PemMaterial.subject(chain[i]) + " expired at " + chain[i].getNotAfter().toInstant());
      } catch (CertificateNotYetValidException e) {
        throw new PeerCertificateException(Check.NOT_YET_VALID, "peer certificate[" + i + "] "
            + PemMaterial.subject(chain[i]) + " is not valid before " + chain[i].getNotBefore().toInstant());
      }
    }
    validatePath(chain, anchorsOf(material), now);
    sans.check(chain[0]);
  }

  private Set<TrustAnchor> anchorsOf(CertificateMaterial material) {
    Anchors cached = anchors;
    if (cached != null && cached.material() == material) {
      return cached.anchors();
    }
    Set<TrustAnchor> set = new HashSet<>();
    for (X509Certificate root : material.trustedCertificates()) {
      set.add(new TrustAnchor(root, null));
    }
    anchors = new Anchors(material, set);
    return set;
  }

  private static void validatePath(X509Certificate[] chain, Set<TrustAnchor> anchors, Date now)
      throws PeerCertificateException {
    // A peer may include the root; PKIX wants the path without its anchor.
    List<X509Certificate> path = Arrays.asList(chain);
    X509Certificate last = chain[chain.length - 1];
    for (TrustAnchor anchor : anchors) {
      if (chain.length > 1 && anchor.getTrustedCert().equals(last)) {
        path = path.subList(0, path.size() - 1);
        break;
      }
    }
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(now);
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
    } catch (CertPathValidatorException e) {
      throw new PeerCertificateException(Check.UNKNOWN_CA, "the peer chain " + PemMaterial.subject(chain[0])
          + " does not lead to a trusted root (" + e.getReason() + ": " + e.getMessage() + ")");
    } catch (GeneralSecurityException e) {
      throw new PeerCertificateException(Check.UNKNOWN_CA, "cannot validate the peer chain: " + e.getMessage());
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    CertificateMaterial material = roots == null ? null : roots.current();
    return material == null ? new X509Certificate[0] : material.trustedCertificates().toArray(new X509Certificate[0]);
  }
}

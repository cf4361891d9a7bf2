package io.mesh4j.runtime.security;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * One generation of certificate material, immutable and validated before it is published: an identity (private key
 * and the chain presented for it, leaf first) and/or a trust bundle (the roots peers are checked against). Either
 * part may be absent, e.g. a provider that only supplies roots.
 *
 * <p>{@link #toString()} names the leaf and the roots, never the key.
 */
public final class CertificateMaterial {
  private final PrivateKey privateKey;
  private final List<X509Certificate> certificateChain;
  private final List<X509Certificate> trustedCertificates;

  CertificateMaterial(
      PrivateKey privateKey, List<X509Certificate> certificateChain, List<X509Certificate> trustedCertificates) {
    if ((privateKey == null) != certificateChain.isEmpty()) {
      throw new IllegalArgumentException("a private key needs a certificate chain and the other way round");
    }
    this.privateKey = privateKey;
    this.certificateChain = List.copyOf(certificateChain);
    this.trustedCertificates = List.copyOf(trustedCertificates);
  }

  static CertificateMaterial identity(PrivateKey key, List<X509Certificate> chain) {
    return new CertificateMaterial(key, chain, List.of());
  }

  static CertificateMaterial roots(List<X509Certificate> roots) {
    return new CertificateMaterial(null, List.of(), roots);
  }

  public boolean hasIdentity() {
    return privateKey != null;
  }

  public boolean hasRoots() {
    return !trustedCertificates.isEmpty();
  }

  /**
   * The identity's private key, or null without one: for adapters that hand the workload identity to a TLS stack
   * the mesh does not build (Spring Boot's SSL bundle for the application's web server).
   */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** The chain presented to peers, leaf first; empty without an identity. */
  public List<X509Certificate> certificateChain() {
    return certificateChain;
  }

  /** The trust bundle; empty without one. */
  public List<X509Certificate> trustedCertificates() {
    return trustedCertificates;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("CertificateMaterial(");
    if (hasIdentity()) {
      X509Certificate leaf = certificateChain.get(0);
      s.append("leaf ").append(leaf.getSubjectX500Principal().getName())
          .append(" serial ").append(leaf.getSerialNumber().toString(16))
          .append(" until ").append(leaf.getNotAfter().toInstant());
    }
    if (hasRoots()) {
      s.append(hasIdentity() ? ", " : "").append(trustedCertificates.size()).append(" trusted root(s)");
    }
    return s.append(')').toString();
  }
}

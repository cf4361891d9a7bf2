package io.mesh4j.runtime.security;

import java.security.cert.CertificateException;

/**
 * The peer's certificate failed one of our checks. Thrown from the trust manager, so the handshake is refused; the
 * transport finds it in the handshake failure's causes and reports {@link #check()}.
 */
public final class PeerCertificateException extends CertificateException {
  private static final long serialVersionUID = 1L;

  /** The check that failed. */
  public enum Check {
    /** The peer sent no certificate. */
    NO_CERTIFICATE,
    /** No trust bundle has been loaded yet for this context. */
    NO_TRUST_MATERIAL,
    /** The leaf (or a certificate in its chain) is past its notAfter. */
    EXPIRED,
    /** The leaf (or a certificate in its chain) is before its notBefore. */
    NOT_YET_VALID,
    /** The chain does not lead to a trusted root. */
    UNKNOWN_CA,
    /** A URI SAN (SPIFFE ID) is required and the certificate has none. */
    NO_URI_SAN,
    /** The certificate's subject alternative names match none of the configured matchers. */
    SAN_MISMATCH
  }

  private final Check check;

  PeerCertificateException(Check check, String detail) {
    super(check + ": " + detail);
    this.check = check;
  }

  public Check check() {
    return check;
  }

  /** The first {@code PeerCertificateException} in {@code error}'s causes, or {@code null}. */
  public static PeerCertificateException find(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof PeerCertificateException e) {
        return e;
      }
      for (Throwable suppressed : t.getSuppressed()) {
        PeerCertificateException found = find(suppressed);
        if (found != null) {
          return found;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}

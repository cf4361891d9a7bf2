package io.mesh4j.runtime.metrics;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/** The principal Istio's metrics name a peer by: its certificate's SPIFFE URI SAN without the scheme. */
final class SpiffeIds {
  private static final int URI_SAN = 6;

  private SpiffeIds() {}

  /** {@code cluster.local/ns/default/sa/reviews}, or {@code unknown} when the certificate has no SPIFFE ID. */
  static String of(Certificate certificate) {
    if (certificate instanceof X509Certificate x509) {
      try {
        Collection<List<?>> names = x509.getSubjectAlternativeNames();
        if (names != null) {
          for (List<?> name : names) {
            if (name.size() >= 2 && Integer.valueOf(URI_SAN).equals(name.get(0))
                && name.get(1) instanceof String uri && uri.startsWith("spiffe://")) {
              return uri.substring("spiffe://".length());
            }
          }
        }
      } catch (CertificateParsingException e) {
        return WorkloadLabels.UNKNOWN;
      }
    }
    return WorkloadLabels.UNKNOWN;
  }
}

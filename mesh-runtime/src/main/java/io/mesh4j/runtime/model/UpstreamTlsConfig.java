package io.mesh4j.runtime.model;

import java.util.List;
import java.util.Objects;

/**
 * A decoded {@code UpstreamTlsContext}: the cluster's requests leave as TLS. Two clusters with equal configs share
 * one TLS identity at run time (one SSL context, one connection pool key).
 *
 * @param identity the client certificate, or {@code null} to present none (one-way TLS)
 * @param trust the roots peers are checked against, or {@code null}: no verification at all, as Envoy does without
 *     a validation context
 * @param sanMatches the peer must present a SAN matching one of these; empty: no SAN check
 * @param sni {@code sni}, or "" to send none
 * @param minVersion the lowest JSSE protocol name allowed ("TLSv1.2"); Envoy's client default
 * @param maxVersion the highest JSSE protocol name allowed; Envoy's client default is TLSv1.2
 * @param cipherSuites JSSE names of the TLS 1.2-and-below suites allowed, empty for the JDK's defaults
 */
public record UpstreamTlsConfig(
    CertificateSourceRef identity,
    CertificateSourceRef trust,
    List<SanMatch> sanMatches,
    String sni,
    String minVersion,
    String maxVersion,
    List<String> cipherSuites) {
  public UpstreamTlsConfig {
    sanMatches = List.copyOf(sanMatches);
    Objects.requireNonNull(sni, "sni");
    Objects.requireNonNull(minVersion, "minVersion");
    Objects.requireNonNull(maxVersion, "maxVersion");
    cipherSuites = List.copyOf(cipherSuites);
  }
}

package io.mesh4j.runtime.model;

import java.util.List;
import java.util.Objects;

/**
 * A decoded {@code DownstreamTlsContext}: a server listener's filter chain terminates TLS. Two chains with equal
 * configs share one server SSL context at run time.
 *
 * @param identity the server certificate (required: a TLS server presents one)
 * @param trust the roots client certificates are checked against, or {@code null}: no client certificate is asked for
 * @param sanMatches a client certificate must present a SAN matching one of these; empty: no SAN check
 * @param requireClientCertificate {@code require_client_certificate}: the handshake fails without a client
 *     certificate (Istio's STRICT and PERMISSIVE mTLS chains). Without it, a client certificate is asked for when
 *     there are roots, and checked when presented, as Envoy does.
 * @param minVersion the lowest JSSE protocol name allowed (Envoy's server default TLSv1.2)
 * @param maxVersion the highest JSSE protocol name allowed (Envoy's server default TLSv1.3)
 * @param cipherSuites JSSE names of the TLS 1.2-and-below suites allowed, empty for the JDK's defaults
 * @param alpnProtocols {@code common_tls_context.alpn_protocols}, in preference order; empty to negotiate none
 */
public record DownstreamTlsConfig(
    CertificateSourceRef identity,
    CertificateSourceRef trust,
    List<SanMatch> sanMatches,
    boolean requireClientCertificate,
    String minVersion,
    String maxVersion,
    List<String> cipherSuites,
    List<String> alpnProtocols) {
  public DownstreamTlsConfig {
    Objects.requireNonNull(identity, "identity");
    sanMatches = List.copyOf(sanMatches);
    Objects.requireNonNull(minVersion, "minVersion");
    Objects.requireNonNull(maxVersion, "maxVersion");
    cipherSuites = List.copyOf(cipherSuites);
    alpnProtocols = List.copyOf(alpnProtocols);
  }
}

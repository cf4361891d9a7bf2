package io.mesh4j.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.mesh4j.runtime.cluster.ClusterType;
import io.mesh4j.runtime.model.CertificateSourceRef;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.SanMatch;
import io.mesh4j.runtime.model.UpstreamTlsConfig;
import io.mesh4j.runtime.testing.TlsResources;
import io.mesh4j.runtime.xds.NoteCollector;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** CDS {@code transport_socket}: what istiod sends is read; everything else is rejected naming the field. */
class UpstreamTlsDecodeTest {
  private static final String SPIFFE = "spiffe://cluster.local/ns/shop/sa/catalog";
  private static final String CTX = "transport_socket.typed_config.common_tls_context.";
  private final NoteCollector notes = new NoteCollector();
  private final ClusterType withDefault = ClusterType.withCertificateProviders(Set.of("default"));

  private ClusterResource decode(ClusterType type, UpstreamTlsContext tls) throws ResourceInvalidException {
    return type.decode(TlsResources.tlsCluster("outbound|8080||catalog", tls), notes);
  }

  private void assertRejected(UpstreamTlsContext tls, String message) {
    assertThatThrownBy(() -> decode(withDefault, tls)).isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }

  @Test
  void readsIstiodsProxylessContext() throws Exception {
    UpstreamTlsConfig tls = decode(withDefault, TlsResources.istioMtls("default", "outbound_.8080_._.catalog", SPIFFE))
        .tls();
    assertThat(tls.identity()).isEqualTo(new CertificateSourceRef.ProviderInstance("default", "default"));
    assertThat(tls.trust()).isEqualTo(new CertificateSourceRef.ProviderInstance("default", "ROOTCA"));
    assertThat(tls.sanMatches()).containsExactly(
        new SanMatch(SanMatch.SanType.URI, SanMatch.Kind.EXACT, SPIFFE, false),
        new SanMatch(SanMatch.SanType.ANY, SanMatch.Kind.EXACT, SPIFFE, false));
    assertThat(tls.sni()).isEqualTo("outbound_.8080_._.catalog");
    assertThat(tls.minVersion()).isEqualTo("TLSv1.2");
    assertThat(tls.maxVersion()).isEqualTo("TLSv1.2");
    // Equal contexts decode to equal configs: clusters share one TLS identity at run time.
    assertThat(decode(withDefault, TlsResources.istioMtls("default", "outbound_.8080_._.catalog", SPIFFE)).tls())
        .isEqualTo(tls);
  }

  @Test
  void rejectsProviderInstancesMissingFromTheBootstrapNamingTheField() {
    assertThatThrownBy(() -> decode(ClusterType.INSTANCE, TlsResources.istioMtls("default", "", SPIFFE)))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(CTX + "tls_certificate_provider_instance.instance_name: 'default' is not a certificate provider "
            + "instance in the bootstrap []");
  }

  @Test
  void readsSdsAndSimpleTlsAndPlainText() throws Exception {
    UpstreamTlsConfig sds = decode(withDefault, TlsResources.sds("cert", "roots", SPIFFE)).tls();
    assertThat(sds.identity()).isEqualTo(new CertificateSourceRef.SdsSecret("cert"));
    assertThat(sds.trust()).isEqualTo(new CertificateSourceRef.SdsSecret("roots"));
    UpstreamTlsConfig simple = decode(withDefault, TlsResources.simple("PEM", "api.example.com")).tls();
    assertThat(simple.identity()).isNull();
    assertThat(simple.trust()).isEqualTo(new CertificateSourceRef.InlinePem("PEM"));
    Cluster raw = TlsResources.tlsCluster("c", UpstreamTlsContext.getDefaultInstance()).toBuilder()
        .setTransportSocket(io.envoyproxy.envoy.config.core.v3.TransportSocket.newBuilder().setName("raw")
            .setTypedConfig(com.google.protobuf.Any.pack(
                io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer.getDefaultInstance())))
        .build();
    assertThat(withDefault.decode(raw, notes).tls()).isNull();
  }

  @Test
  @SuppressWarnings("deprecation")
  void rejectsWhatWouldChangeTheHandshakeNamingTheField() {
    assertRejected(UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
            .setValidationContext(CertificateValidationContext.newBuilder()
                .addMatchSubjectAltNames(StringMatcher.newBuilder().setExact(SPIFFE)))).build(),
        CTX + "validation_context.match_subject_alt_names: SAN checks without a trusted CA are insecure and not "
            + "allowed (as in Envoy)");
    assertRejected(UpstreamTlsContext.newBuilder().setAutoSniSanValidation(true).build(),
        "transport_socket.typed_config.auto_sni_san_validation: not supported");
    assertRejected(UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
            .setValidationContext(CertificateValidationContext.newBuilder().setSystemRootCerts(
                    CertificateValidationContext.SystemRootCerts.getDefaultInstance())
                .addVerifyCertificateHash("ab"))).build(),
        CTX + "validation_context.verify_certificate_hash: not supported");
    assertRejected(UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
            .setTlsParams(TlsParameters.newBuilder().addCipherSuites("[ECDHE-ECDSA-AES128-GCM-SHA256|NOPE]"))).build(),
        CTX + "tls_params.cipher_suites[0]: unknown or unsupported cipher suite 'NOPE'");
    assertRejected(UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
            .setTlsParams(TlsParameters.newBuilder().setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_1)))
            .build(),
        CTX + "tls_params.tls_minimum_protocol_version: TLSv1_1 is not supported (TLSv1_2 or TLSv1_3)");
    assertRejected(UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
            .setTlsParams(TlsParameters.newBuilder().addEcdhCurves("P-256"))).build(),
        CTX + "tls_params.ecdh_curves: not supported");
  }

  @Test
  void readsVersionsAndCiphersAndNotesAlpnAndUnverifiedPeers() throws Exception {
    UpstreamTlsConfig tls = decode(withDefault, UpstreamTlsContext.newBuilder().setCommonTlsContext(
        CommonTlsContext.newBuilder().addAlpnProtocols("h2").setTlsParams(TlsParameters.newBuilder()
            .setTlsMaximumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3)
            .addCipherSuites("[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]"))).build()).tls();
    assertThat(tls.maxVersion()).isEqualTo("TLSv1.3");
    assertThat(tls.cipherSuites()).isEqualTo(List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"));
    assertThat(notes.notes).anyMatch(n -> n.contains("alpn_protocols"))
        .anyMatch(n -> n.contains("the peer certificate is not verified"));
  }
}

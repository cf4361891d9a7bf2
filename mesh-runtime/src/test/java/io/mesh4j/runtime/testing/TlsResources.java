package io.mesh4j.runtime.testing;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.nio.file.Path;

/** TLS protos as istiod sends them to proxyless clients, and bootstrap snippets, for tests. */
public final class TlsResources {
  private TlsResources() {}

  /**
   * istiod's proxyless mTLS context: the certificate and the roots from provider instance {@code instance}, both
   * in the new and the deprecated fields, SPIFFE IDs as exact URI SAN matchers, SNI set.
   */
  @SuppressWarnings("deprecation")
  public static UpstreamTlsContext istioMtls(String instance, String sni, String... spiffeIds) {
    CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder()
        .setCaCertificateProviderInstance(
            CertificateProviderPluginInstance.newBuilder().setInstanceName(instance).setCertificateName("ROOTCA"));
    for (String id : spiffeIds) {
      validation.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
          .setSanType(SubjectAltNameMatcher.SanType.URI).setMatcher(StringMatcher.newBuilder().setExact(id)));
      validation.addMatchSubjectAltNames(StringMatcher.newBuilder().setExact(id));
    }
    return UpstreamTlsContext.newBuilder()
        .setSni(sni)
        .setCommonTlsContext(CommonTlsContext.newBuilder()
            .setTlsCertificateProviderInstance(
                CertificateProviderPluginInstance.newBuilder().setInstanceName(instance).setCertificateName("default"))
            .setTlsCertificateCertificateProviderInstance(CommonTlsContext.CertificateProviderInstance.newBuilder()
                .setInstanceName(instance).setCertificateName("default"))
            .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                .setDefaultValidationContext(validation)
                .setValidationContextCertificateProviderInstance(
                    CommonTlsContext.CertificateProviderInstance.newBuilder()
                        .setInstanceName(instance).setCertificateName("ROOTCA"))))
        .build();
  }

  /** A DestinationRule {@code tls.mode: SIMPLE}: roots given inline, SNI, optional SAN. */
  public static UpstreamTlsContext simple(String rootsPem, String sni) {
    return UpstreamTlsContext.newBuilder()
        .setSni(sni)
        .setCommonTlsContext(CommonTlsContext.newBuilder()
            .setValidationContext(CertificateValidationContext.newBuilder()
                .setTrustedCa(DataSource.newBuilder().setInlineString(rootsPem))))
        .build();
  }

  /** Certificate and roots from SDS secrets over ADS, with SAN matchers in the default validation context. */
  @SuppressWarnings("deprecation")
  public static UpstreamTlsContext sds(String certSecret, String rootsSecret, String... spiffeIds) {
    CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder();
    for (String id : spiffeIds) {
      validation.addMatchSubjectAltNames(StringMatcher.newBuilder().setExact(id));
    }
    return UpstreamTlsContext.newBuilder()
        .setCommonTlsContext(CommonTlsContext.newBuilder()
            .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName(certSecret)
                .setSdsConfig(XdsResources.ads()))
            .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                .setDefaultValidationContext(validation)
                .setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder().setName(rootsSecret)
                    .setSdsConfig(XdsResources.ads()))))
        .build();
  }

  public static Secret certificateSecret(String name, TestPki.Leaf leaf) {
    return Secret.newBuilder().setName(name).setTlsCertificate(TlsCertificate.newBuilder()
            .setCertificateChain(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(leaf.chainPem())))
            .setPrivateKey(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(leaf.keyPem()))))
        .build();
  }

  public static Secret rootsSecret(String name, String rootsPem) {
    return Secret.newBuilder().setName(name).setValidationContext(CertificateValidationContext.newBuilder()
        .setTrustedCa(DataSource.newBuilder().setInlineString(rootsPem))).build();
  }

  public static TransportSocket tlsSocket(UpstreamTlsContext context) {
    return TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(context))
        .build();
  }

  public static Cluster tlsCluster(String name, UpstreamTlsContext context) {
    return XdsResources.edsCluster(name).toBuilder().setTransportSocket(tlsSocket(context)).build();
  }

  /** {@code bootstrapJson} with a {@code file_watcher} instance over Istio's file names in {@code dir}. */
  public static String withFileWatcher(String bootstrapJson, String instance, Path dir, String refreshInterval) {
    String provider = "\"certificate_providers\": {\"" + instance + "\": {\"plugin_name\": \"file_watcher\", "
        + "\"config\": {\"certificate_file\": \"" + dir.resolve("cert-chain.pem") + "\", "
        + "\"private_key_file\": \"" + dir.resolve("key.pem") + "\", "
        + "\"ca_certificate_file\": \"" + dir.resolve("root-cert.pem") + "\", "
        + "\"refresh_interval\": \"" + refreshInterval + "\"}}}";
    int end = bootstrapJson.lastIndexOf('}');
    return bootstrapJson.substring(0, end) + ",\n  " + provider + "\n}\n";
  }

  /** {@code bootstrapJson} with an {@code istio_ca} instance getting {@code identity} from {@code ca}. */
  public static String withIstioCa(String bootstrapJson, String instance, LoopbackIstioCa ca, Path rootFile,
      Path tokenFile, String identity, String validity, double rotationFraction) {
    String provider = "\"certificate_providers\": {\"" + instance + "\": {\"plugin_name\": \"istio_ca\", "
        + "\"config\": {\"ca_address\": \"" + ca.address() + "\", "
        + "\"ca_root_file\": \"" + rootFile + "\", "
        + "\"token_file\": \"" + tokenFile + "\", "
        + "\"identity\": \"" + identity + "\", "
        + "\"validity\": \"" + validity + "\", "
        + "\"rotation_fraction\": " + rotationFraction + ", "
        + "\"retry_initial_backoff\": \"0.1s\", \"retry_max_backoff\": \"0.5s\"}}}";
    int end = bootstrapJson.lastIndexOf('}');
    return bootstrapJson.substring(0, end) + ",\n  " + provider + "\n}\n";
  }
}

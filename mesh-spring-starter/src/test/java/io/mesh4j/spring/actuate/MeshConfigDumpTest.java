package io.mesh4j.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.GenericSecret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshConfigDumpTest {

  @Test
  void privateKeysAndGenericSecretsAreRedactedAndCertificatesKept() throws Exception {
    Secret tls = Secret.newBuilder().setName("default")
        .setTlsCertificate(TlsCertificate.newBuilder()
            .setCertificateChain(DataSource.newBuilder().setInlineString("-----BEGIN CERTIFICATE-----chain"))
            .setPrivateKey(DataSource.newBuilder().setInlineString("-----BEGIN PRIVATE KEY-----secret")))
        .build();
    @SuppressWarnings("unchecked")
    Map<String, Object> view = (Map<String, Object>) MeshConfigDump.resourceView(tls);
    @SuppressWarnings("unchecked")
    Map<String, Object> certificate = (Map<String, Object>) view.get("tls_certificate");
    assertThat(certificate.get("private_key")).isEqualTo(MeshConfigDump.REDACTED);
    assertThat(certificate.get("certificate_chain")).isEqualTo(Map.of("inline_string", "-----BEGIN CERTIFICATE-----chain"));
    assertThat(view.toString()).doesNotContain("BEGIN PRIVATE KEY");

    Secret generic = Secret.newBuilder().setName("token")
        .setGenericSecret(GenericSecret.newBuilder().setSecret(DataSource.newBuilder().setInlineString("hunter2")))
        .build();
    assertThat(MeshConfigDump.resourceView(generic).toString()).doesNotContain("hunter2").contains(MeshConfigDump.REDACTED);
  }

  @Test
  void typedConfigsInsideAResourceArePrinted() throws Exception {
    io.envoyproxy.envoy.config.cluster.v3.Cluster cluster = io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder()
        .setName("catalog")
        .putTypedExtensionProtocolOptions("envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
            com.google.protobuf.Any.pack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                .getDefaultInstance()))
        .build();
    assertThat(MeshConfigDump.resourceView(cluster).toString())
        .contains("type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
  }
}

package io.mesh4j.runtime.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.xds.ResourceDump;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDumpsTest {
  private static final String SECRET_TYPE = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

  @Test
  void secretsKeepTheirCertificateButNotTheirKey() {
    Secret secret = Secret.newBuilder().setName("default").setTlsCertificate(TlsCertificate.newBuilder()
        .setCertificateChain(DataSource.newBuilder().setInlineString("-----BEGIN CERTIFICATE-----"))
        .setPrivateKey(DataSource.newBuilder().setInlineString("-----BEGIN PRIVATE KEY----- secret-bytes")))
        .build();
    ResourceStatus status = new ResourceStatus(SECRET_TYPE, "default", "3", Instant.EPOCH, ResourceState.ACKED, null);

    String json = ConfigDumps.json(Node.newBuilder().setId("n").build(), List.of(new ResourceDump(status, secret)));

    assertThat(json).contains("SecretsConfigDump").contains("BEGIN CERTIFICATE").contains("[redacted]")
        .doesNotContain("secret-bytes").doesNotContain("PRIVATE KEY");
  }

  @Test
  void aRejectedResourceCarriesItsError() {
    ResourceStatus status = new ResourceStatus("type.googleapis.com/envoy.config.cluster.v3.Cluster", "c", "2",
        Instant.EPOCH, ResourceState.NACKED, "lb_policy: not supported");

    String json = ConfigDumps.json(Node.getDefaultInstance(), List.of(new ResourceDump(status, null)));

    assertThat(json).contains("\"clientStatus\": \"NACKED\"").contains("\"details\": \"lb_policy: not supported\"");
  }
}

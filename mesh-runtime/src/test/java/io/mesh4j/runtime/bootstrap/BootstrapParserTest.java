package io.mesh4j.runtime.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.mesh4j.MeshConfigurationException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BootstrapParserTest {
  private static final String ISTIO_LIKE =
      """
      {
        "xds_servers": [{
          "server_uri": "unix:///etc/istio/proxy/XDS",
          "channel_creds": [{"type": "google_default"}, {"type": "insecure"}],
          "server_features": ["xds_v3", "ignore_resource_deletion"]
        }],
        "node": {
          "id": "sidecar~10.0.0.5~catalog-7d9.shop~shop.svc.cluster.local",
          "cluster": "catalog",
          "locality": {"region": "eu", "zone": "eu-1a", "sub_zone": "rack4"},
          "metadata": {"GENERATOR": "grpc", "ISTIO_VERSION": "1.24", "LABELS": {"app": "catalog"},
                       "PORTS": [8080, 9090], "SIDECAR": false, "NOTHING": null},
          "unknown_field_from_a_newer_grpc": 1
        },
        "certificate_providers": {
          "default": {"plugin_name": "file_watcher",
                      "config": {"certificate_file": "/var/lib/istio/data/cert-chain.pem",
                                 "refresh_interval": "900s"}}
        },
        "server_listener_resource_name_template": "xds.istio.io/grpc/lds/inbound/%s"
      }
      """;

  private static MeshConfigurationException error(String json) {
    try {
      BootstrapParser.parse(json, "test");
    } catch (MeshConfigurationException e) {
      return e;
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void parsesWhatIstioWrites() {
    Bootstrap b = BootstrapParser.parse(ISTIO_LIKE, "test");
    XdsServer server = b.server();
    assertThat(server.serverUri()).isEqualTo("unix:///etc/istio/proxy/XDS");
    assertThat(server.channelCredentialsType()).isEqualTo("insecure");
    assertThat(server.channelCredentials()).isInstanceOf(InsecureChannelCredentials.class);
    assertThat(server.ignoreResourceDeletion()).isTrue();
    assertThat(b.node().getId()).startsWith("sidecar~");
    assertThat(b.node().getCluster()).isEqualTo("catalog");
    assertThat(b.node().getLocality().getSubZone()).isEqualTo("rack4");
    assertThat(b.node().getMetadata().getFieldsOrThrow("GENERATOR").getStringValue()).isEqualTo("grpc");
    assertThat(b.node().getMetadata().getFieldsOrThrow("LABELS").getStructValue().getFieldsOrThrow("app")
        .getStringValue()).isEqualTo("catalog");
    assertThat(b.node().getMetadata().getFieldsOrThrow("PORTS").getListValue().getValues(1).getNumberValue())
        .isEqualTo(9090);
    assertThat(b.node().getMetadata().getFieldsOrThrow("SIDECAR").getBoolValue()).isFalse();
    assertThat(b.node().getUserAgentName()).isEqualTo("mesh4j");
    assertThat(b.node().getClientFeaturesList()).contains("xds.config.resource-in-sotw");
    CertificateProviderConfig provider = b.certificateProviders().get("default");
    assertThat(provider.pluginName()).isEqualTo("file_watcher");
    assertThat(provider.config()).containsEntry("refresh_interval", "900s");
    assertThat(b.serverListenerResourceNameTemplate()).isEqualTo("xds.istio.io/grpc/lds/inbound/%s");
    assertThat(b.clientDefaultListenerResourceNameTemplate()).isEqualTo("%s");
    assertThat(b.listenerName("catalog.shop.svc.cluster.local:8080")).isEqualTo("catalog.shop.svc.cluster.local:8080");
  }

  @Test
  void minimalBootstrapAndTls() {
    Bootstrap b = BootstrapParser.parse(
        "{\"xds_servers\": [{\"server_uri\": \"cp:18000\", \"channel_creds\": [{\"type\": \"tls\"}]}],"
            + " \"client_default_listener_resource_name_template\": \"lds/%s\"}", "test");
    assertThat(b.server().channelCredentials()).isInstanceOf(TlsChannelCredentials.class);
    assertThat(b.node().getId()).isEmpty();
    assertThat(b.certificateProviders()).isEmpty();
    assertThat(b.serverListenerResourceNameTemplate()).isNull();
    assertThat(b.listenerName("a:80")).isEqualTo("lds/a:80");
    assertThat(b.servers()).hasSize(1);
  }

  @Test
  void everyErrorNamesTheField() {
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("{}", "bootstrap: xds_servers: missing");
    cases.put("{\"xds_servers\": {}}", "bootstrap: xds_servers: expected an array");
    cases.put("{\"xds_servers\": []}", "bootstrap: xds_servers: must name at least one server");
    cases.put("{\"xds_servers\": [{\"channel_creds\": [{\"type\": \"insecure\"}]}]}",
        "bootstrap: xds_servers[0].server_uri: missing");
    cases.put("{\"xds_servers\": [{\"server_uri\": 5, \"channel_creds\": [{\"type\": \"insecure\"}]}]}",
        "bootstrap: xds_servers[0].server_uri: expected a string");
    cases.put("{\"xds_servers\": [{\"server_uri\": \"cp:1\"}]}", "bootstrap: xds_servers[0].channel_creds: missing");
    cases.put("{\"xds_servers\": [{\"server_uri\": \"cp:1\", \"channel_creds\": [{\"type\": \"google_default\"}]}]}",
        "bootstrap: xds_servers[0].channel_creds: no supported type (insecure, tls) among [google_default]");
    cases.put("{\"xds_servers\": [{\"server_uri\": \"cp:1\", \"channel_creds\": [{}]}]}",
        "bootstrap: xds_servers[0].channel_creds[0].type: missing");
    cases.put("{\"xds_servers\": [{\"server_uri\": \"cp:1\", \"channel_creds\": [{\"type\": \"insecure\"}],"
            + " \"server_features\": [1]}]}",
        "bootstrap: xds_servers[0].server_features[0]: expected a string");
    cases.put("{\"xds_servers\": [{\"server_uri\": \"cp:1\", \"channel_creds\": [{\"type\": \"tls\", \"config\":"
            + " {\"ca_certificate_file\": \"/nonexistent/ca.pem\"}}]}]}",
        "bootstrap: xds_servers[0].channel_creds[0].config.ca_certificate_file: cannot read /nonexistent/ca.pem");
    cases.put("{\"xds_servers\": [{\"server_uri\": \"cp:1\", \"channel_creds\": [{\"type\": \"tls\", \"config\":"
            + " {\"certificate_file\": \"/c.pem\"}}]}]}",
        "bootstrap: xds_servers[0].channel_creds[0].config.private_key_file: missing");
    String ok = "\"xds_servers\": [{\"server_uri\": \"cp:1\", \"channel_creds\": [{\"type\": \"insecure\"}]}]";
    cases.put("{" + ok + ", \"node\": []}", "bootstrap: node: expected an object");
    cases.put("{" + ok + ", \"node\": {\"locality\": \"eu\"}}", "bootstrap: node.locality: expected an object");
    cases.put("{" + ok + ", \"node\": {\"id\": 1}}", "bootstrap: node.id: expected a string");
    cases.put("{" + ok + ", \"node\": {\"locality\": {\"zone\": true}}}", "bootstrap: node.locality.zone: expected a string");
    cases.put("{" + ok + ", \"node\": {\"metadata\": 3}}", "bootstrap: node.metadata: expected an object");
    cases.put("{" + ok + ", \"certificate_providers\": {\"p\": {}}}",
        "bootstrap: certificate_providers.p.plugin_name: missing");
    cases.put("{" + ok + ", \"authorities\": {\"a\": {}}}",
        "bootstrap: authorities: xDS federation is not supported; remove the authorities");
    cases.put("{" + ok + ", \"client_default_listener_resource_name_template\": \"xdstp://a/%s\"}",
        "bootstrap: client_default_listener_resource_name_template: xdstp names (federation) are not supported");
    cases.put("[]", "bootstrap: (root): expected an object");
    cases.forEach((json, message) -> assertThat(error(json).getMessage()).as(json).startsWith(message));
  }

  @Test
  void invalidJsonSaysWhere() {
    assertThat(error("{\n  \"xds_servers\": [\n    {\"server_uri\" \"x\"}\n  ]\n}").getMessage())
        .startsWith("bootstrap: invalid JSON in test: ")
        .contains("line 3 column")
        .doesNotContain("setLenient");
    assertThat(error("{} {}").getMessage()).startsWith("bootstrap: invalid JSON in test: trailing data");
    assertThat(error("").getMessage()).startsWith("bootstrap: invalid JSON in test");
  }

  @Test
  void emptyAuthoritiesAreFine() {
    Bootstrap b = BootstrapParser.parse("{\"xds_servers\": [{\"server_uri\": \"cp:1\", \"channel_creds\":"
        + " [{\"type\": \"insecure\"}]}], \"authorities\": {}}", "test");
    assertThat(b.server().serverFeatures()).isEqualTo(List.of());
  }
}

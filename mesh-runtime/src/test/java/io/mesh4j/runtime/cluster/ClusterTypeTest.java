package io.mesh4j.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SelfConfigSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.runtime.xds.NoteCollector;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterTypeTest {
  private final NoteCollector notes = new NoteCollector();

  private ClusterResource decode(Cluster.Builder cluster) throws ResourceInvalidException {
    return ClusterType.INSTANCE.decode(cluster.build(), notes);
  }

  private static Cluster.Builder eds() {
    return XdsResources.edsCluster("outbound|8080||catalog").toBuilder();
  }

  private void assertRejected(Cluster.Builder cluster, String message) {
    assertThatThrownBy(() -> decode(cluster)).isInstanceOf(ResourceInvalidException.class).hasMessage(message);
  }

  @Test
  void decodesAnEdsCluster() throws Exception {
    ClusterResource c = decode(eds());
    assertThat(c.name()).isEqualTo("outbound|8080||catalog");
    assertThat(c.edsServiceName()).isEqualTo("outbound|8080||catalog");
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    ClusterResource named = decode(eds()
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setServiceName("catalog-eds"))
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setNanos(250_000_000)));
    assertThat(named.edsServiceName()).isEqualTo("catalog-eds"); // no eds_config: ADS
    assertThat(named.connectTimeout()).isEqualTo(Duration.ofMillis(250));
    decode(eds().setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder()
        .setEdsConfig(ConfigSource.newBuilder().setSelf(SelfConfigSource.getDefaultInstance()))));
    assertThat(notes.notes).isEmpty();
  }

  @Test
  void rejectsOtherDiscoveryTypes() {
    assertRejected(eds().setType(Cluster.DiscoveryType.STRICT_DNS), "type: STRICT_DNS is not supported yet (only EDS)");
    assertRejected(eds().setType(Cluster.DiscoveryType.STATIC), "type: STATIC is not supported yet (only EDS)");
    assertRejected(eds().setClusterType(Cluster.CustomClusterType.newBuilder().setName("envoy.clusters.aggregate")),
        "cluster_type: envoy.clusters.aggregate is not supported yet");
    assertRejected(eds().setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder()
            .setEdsConfig(ConfigSource.newBuilder().setApiConfigSource(ApiConfigSource.getDefaultInstance()))),
        "eds_cluster_config.eds_config.api_config_source: not supported (only ads or self)");
  }

  @Test
  void rejectsTransportSocketWithoutConfigAndHealthChecksForNow() {
    assertRejected(eds().setTransportSocket(TransportSocket.newBuilder().setName("tls")),
        "transport_socket.typed_config: required");
    assertRejected(eds().addHealthChecks(io.envoyproxy.envoy.config.core.v3.HealthCheck.getDefaultInstance()),
        "health_checks: not supported");
  }

  @Test
  void upstreamHttpOptionsThatChangeRequestsAreRejected() throws Exception {
    String key = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
    var istio = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
        .setCommonHttpProtocolOptions(io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.newBuilder()
            .setIdleTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(3600)))
        .setUseDownstreamProtocolConfig(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions
            .UseDownstreamHttpConfig.getDefaultInstance());
    decode(eds().putTypedExtensionProtocolOptions(key, Any.pack(istio.build())));
    assertThat(notes.notes).containsExactlyInAnyOrder(
        "CDS: typed_extension_protocol_options[" + key + "].use_downstream_protocol_config",
        "CDS: typed_extension_protocol_options[" + key + "].common_http_protocol_options.idle_timeout");
    var limited = istio.setCommonHttpProtocolOptions(io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions
        .newBuilder().setMaxStreamDuration(com.google.protobuf.Duration.newBuilder().setSeconds(1)));
    assertRejected(eds().putTypedExtensionProtocolOptions(key, Any.pack(limited.build())),
        "typed_extension_protocol_options[" + key + "].common_http_protocol_options.max_stream_duration: not supported");
  }

  @Test
  void lrsServerIsAcceptedAndNoted() throws Exception {
    decode(eds().setLrsServer(ConfigSource.newBuilder().setSelf(SelfConfigSource.getDefaultInstance())));
    assertThat(notes.notes).containsExactly("CDS: lrs_server");
  }

  @Test
  void rejectsAZeroConnectTimeout() {
    assertRejected(eds().setConnectTimeout(com.google.protobuf.Duration.getDefaultInstance()),
        "connect_timeout: must be greater than 0");
  }
}

package io.mesh4j.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Pipe;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.mesh4j.runtime.model.EndpointHealth;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.model.LocalityEndpoints;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.runtime.xds.NoteCollector;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import org.junit.jupiter.api.Test;

class EndpointTypeTest {
  private final NoteCollector notes = new NoteCollector();

  private EndpointResource decode(ClusterLoadAssignment cla) throws ResourceInvalidException {
    return EndpointType.INSTANCE.decode(cla, notes);
  }

  private void assertRejected(ClusterLoadAssignment cla, String message) {
    assertThatThrownBy(() -> decode(cla)).isInstanceOf(ResourceInvalidException.class).hasMessage(message);
  }

  private static ClusterLoadAssignment withEndpoint(io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint e) {
    return ClusterLoadAssignment.newBuilder().setClusterName("c")
        .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(e)).build();
  }

  private static io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint at(SocketAddress.Builder socket) {
    return io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint.newBuilder()
        .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder().setSocketAddress(socket))).build();
  }

  @Test
  void decodesLocalitiesEndpointsWeightsAndHealth() throws Exception {
    ClusterLoadAssignment cla = XdsResources.cla("c", "10.0.0.1:8080", "[::1]:9090".replace("[", "").replace("]", ""))
        .toBuilder()
        .addEndpoints(LocalityLbEndpoints.newBuilder()
            .setLocality(Locality.newBuilder().setRegion("r2").setZone("z2").setSubZone("s"))
            .setPriority(1)
            .addLbEndpoints(XdsResources.endpoint("10.0.1.1", 80).toBuilder()
                .setHealthStatus(HealthStatus.DRAINING).setLoadBalancingWeight(UInt32Value.of(7)))
            .addLbEndpoints(XdsResources.endpoint("10.0.1.2", 80).toBuilder().setHealthStatus(HealthStatus.DEGRADED))
            .addLbEndpoints(XdsResources.endpoint("10.0.1.3", 80).toBuilder().setHealthStatus(HealthStatus.HEALTHY)))
        .setPolicy(ClusterLoadAssignment.Policy.newBuilder().setOverprovisioningFactor(UInt32Value.of(100)))
        .build();
    EndpointResource r = decode(cla);
    assertThat(r.clusterName()).isEqualTo("c");
    assertThat(r.overprovisioningFactor()).isEqualTo(100);
    LocalityEndpoints first = r.localities().get(0);
    assertThat(first.locality()).isEqualTo("r1/z1/");
    assertThat(first.weight()).isEqualTo(1);
    assertThat(first.priority()).isZero();
    assertThat(first.endpoints()).extracting(LbEndpoint::hostPort).containsExactly("10.0.0.1:8080", "[::1]:9090");
    assertThat(first.endpoints()).allMatch(e -> e.healthy() && e.weight() == 1);
    LocalityEndpoints second = r.localities().get(1);
    assertThat(second.locality()).isEqualTo("r2/z2/s");
    assertThat(second.weight()).isZero();
    assertThat(second.endpoints()).extracting(LbEndpoint::healthy).containsExactly(false, false, true);
    assertThat(second.endpoints().get(0).weight()).isEqualTo(7);
    assertThat(notes.notes).isEmpty();
    assertThat(decode(XdsResources.cla("c", "10.0.0.1:1")).overprovisioningFactor()).isEqualTo(140);
  }

  @Test
  void decodesHealthStatusAsEnvoy() throws Exception {
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    HealthStatus[] statuses = {HealthStatus.UNKNOWN, HealthStatus.HEALTHY, HealthStatus.DEGRADED,
        HealthStatus.UNHEALTHY, HealthStatus.DRAINING, HealthStatus.TIMEOUT};
    for (int i = 0; i < statuses.length; i++) {
      locality.addLbEndpoints(XdsResources.endpoint("10.0.0.1", 80 + i).toBuilder().setHealthStatus(statuses[i]));
    }
    EndpointResource r = decode(ClusterLoadAssignment.newBuilder().setClusterName("c").addEndpoints(locality).build());
    assertThat(r.localities().get(0).endpoints()).extracting(LbEndpoint::health).containsExactly(
        EndpointHealth.HEALTHY, EndpointHealth.HEALTHY, EndpointHealth.DEGRADED,
        EndpointHealth.UNHEALTHY, EndpointHealth.UNHEALTHY, EndpointHealth.UNHEALTHY);
    LbEndpoint degraded = r.localities().get(0).endpoints().get(2);
    assertThat(degraded.degraded()).isTrue();
    assertThat(degraded.healthy()).isFalse();
    assertThat(notes.notes).isEmpty();
  }

  @Test
  void prioritiesMustBeContiguousFromZero() {
    ClusterLoadAssignment cla = XdsResources.cla("c", "10.0.0.1:80").toBuilder()
        .setEndpoints(0, XdsResources.cla("c", "10.0.0.1:80").getEndpoints(0).toBuilder().setPriority(1))
        .build();
    assertRejected(cla, "endpoints: priorities must be contiguous from 0, but priority 0 is missing");
  }

  @Test
  void weightsMustBeAtLeastOne() {
    assertRejected(withEndpoint(XdsResources.endpoint("10.0.0.1", 80).toBuilder()
            .setLoadBalancingWeight(UInt32Value.of(0)).build()),
        "endpoints[0].lb_endpoints[0].load_balancing_weight: must be at least 1");
    assertRejected(XdsResources.cla("c", "10.0.0.1:80").toBuilder().setEndpoints(0,
            XdsResources.cla("c", "10.0.0.1:80").getEndpoints(0).toBuilder().setLoadBalancingWeight(UInt32Value.of(0)))
            .build(),
        "endpoints[0].load_balancing_weight: must be at least 1");
  }

  @Test
  void addressesMustBeIpAndPortValue() {
    assertRejected(withEndpoint(at(SocketAddress.newBuilder().setAddress("catalog.local").setPortValue(80))),
        "endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: 'catalog.local' is not an IP address");
    assertRejected(withEndpoint(at(SocketAddress.newBuilder().setAddress("10.0.0.1").setNamedPort("http"))),
        "endpoints[0].lb_endpoints[0].endpoint.address.socket_address.named_port: not supported");
    assertRejected(withEndpoint(at(SocketAddress.newBuilder().setAddress("10.0.0.1"))),
        "endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value: missing");
    assertRejected(withEndpoint(at(SocketAddress.newBuilder().setAddress("10.0.0.1").setPortValue(80)
            .setProtocol(SocketAddress.Protocol.UDP))),
        "endpoints[0].lb_endpoints[0].endpoint.address.socket_address.protocol: only TCP is supported");
    assertRejected(withEndpoint(io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint.newBuilder()
            .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder().setPipe(Pipe.newBuilder()
                .setPath("/tmp/s")))).build()),
        "endpoints[0].lb_endpoints[0].endpoint.address: only socket_address is supported, got pipe");
    assertRejected(withEndpoint(at(SocketAddress.newBuilder().setAddress("10.0.0.256").setPortValue(80))),
        "endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: '10.0.0.256' is not an IP address");
  }

  @Test
  void dropOverloadsAreRejectedAndAdditionalAddressesNoted() throws Exception {
    assertRejected(XdsResources.cla("c", "10.0.0.1:80").toBuilder().setPolicy(ClusterLoadAssignment.Policy
            .newBuilder().addDropOverloads(ClusterLoadAssignment.Policy.DropOverload.newBuilder().setCategory("x")))
            .build(),
        "policy.drop_overloads: not supported yet");
    decode(withEndpoint(XdsResources.endpoint("10.0.0.1", 80).toBuilder().setEndpoint(
        XdsResources.endpoint("10.0.0.1", 80).getEndpoint().toBuilder().addAdditionalAddresses(
            io.envoyproxy.envoy.config.endpoint.v3.Endpoint.AdditionalAddress.getDefaultInstance())).build()));
    assertThat(notes.notes).containsExactly("EDS: endpoints[0].lb_endpoints[0].endpoint.additional_addresses");
  }
}

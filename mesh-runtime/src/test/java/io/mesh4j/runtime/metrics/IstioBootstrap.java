package io.mesh4j.runtime.metrics;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.XdsResources;

/** A bootstrap whose node metadata is what Istio's agent writes, and EDS endpoints with Istio's workload metadata. */
final class IstioBootstrap {
  static final String SOURCE_WORKLOAD = "orders-v1";
  static final String NAMESPACE = "shop";
  static final String CLUSTER_ID = "Kubernetes";

  private IstioBootstrap() {}

  static String json(LoopbackControlPlane controlPlane) {
    return "{\n"
        + "  \"xds_servers\": [{\"server_uri\": \"" + controlPlane.target() + "\","
        + " \"channel_creds\": [{\"type\": \"insecure\"}], \"server_features\": [\"xds_v3\"]}],\n"
        + "  \"node\": {\"id\": \"sidecar~10.1.2.3~orders-v1-abc.shop~shop.svc.cluster.local\","
        + " \"cluster\": \"orders.shop\", \"locality\": {\"region\": \"r1\", \"zone\": \"z1\"},\n"
        + "    \"metadata\": {\"NAMESPACE\": \"shop\", \"WORKLOAD_NAME\": \"orders-v1\", \"CLUSTER_ID\": \"Kubernetes\","
        + " \"MESH_ID\": \"cluster.local\", \"LABELS\": {\"app\": \"orders\", \"version\": \"v1\"}}}\n"
        + "}\n";
  }

  /** A CLA whose endpoints carry {@code istio.workload = workload}. */
  static ClusterLoadAssignment cla(String cluster, String workload, String... hostPorts) {
    ClusterLoadAssignment plain = XdsResources.cla(cluster, hostPorts);
    ClusterLoadAssignment.Builder out = plain.toBuilder();
    for (int i = 0; i < plain.getEndpoints(0).getLbEndpointsCount(); i++) {
      LbEndpoint endpoint = plain.getEndpoints(0).getLbEndpoints(i).toBuilder()
          .setMetadata(Metadata.newBuilder().putFilterMetadata("istio", Struct.newBuilder()
              .putFields("workload", Value.newBuilder().setStringValue(workload).build()).build()))
          .build();
      out.getEndpointsBuilder(0).setLbEndpoints(i, endpoint);
    }
    return out.build();
  }
}

package io.mesh4j.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy;
import io.envoyproxy.envoy.config.core.v3.RuntimeDouble;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.extensions.load_balancing_policies.common.v3.ConsistentHashingLbConfig;
import io.envoyproxy.envoy.extensions.load_balancing_policies.common.v3.LocalityLbConfig;
import io.envoyproxy.envoy.extensions.load_balancing_policies.common.v3.SlowStartConfig;
import io.envoyproxy.envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest;
import io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.Maglev;
import io.envoyproxy.envoy.extensions.load_balancing_policies.random.v3.Random;
import io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash;
import io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin;
import io.envoyproxy.envoy.type.v3.Percent;
import io.mesh4j.runtime.model.LbPolicy;
import io.mesh4j.runtime.model.LoadBalancerConfig;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.runtime.xds.NoteCollector;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import org.junit.jupiter.api.Test;

/** CDS load balancing: lb_policy, the *_lb_config, load_balancing_policy and common_lb_config. */
class ClusterLoadBalancingDecodeTest {
  private final NoteCollector notes = new NoteCollector();

  private LoadBalancerConfig decode(Cluster.Builder cluster) throws ResourceInvalidException {
    return ClusterType.INSTANCE.decode(cluster.build(), notes).loadBalancer();
  }

  private static Cluster.Builder eds() {
    return XdsResources.edsCluster("outbound|8080||catalog").toBuilder();
  }

  private void assertRejected(Cluster.Builder cluster, String message) {
    assertThatThrownBy(() -> decode(cluster)).isInstanceOf(ResourceInvalidException.class).hasMessage(message);
  }

  private static LoadBalancingPolicy.Policy typed(Message config) {
    return LoadBalancingPolicy.Policy.newBuilder().setTypedExtensionConfig(
        TypedExtensionConfig.newBuilder().setName("p").setTypedConfig(Any.pack(config))).build();
  }

  private static Cluster.Builder policies(Message... configs) {
    LoadBalancingPolicy.Builder list = LoadBalancingPolicy.newBuilder();
    for (Message m : configs) {
      list.addPolicies(typed(m));
    }
    return eds().setLoadBalancingPolicy(list);
  }

  @Test
  void defaultsToRoundRobinWithEnvoysPanicThreshold() throws Exception {
    assertThat(decode(eds())).isEqualTo(new LoadBalancerConfig(new LbPolicy.RoundRobin(), 50.0, false));
  }

  @Test
  void decodesEveryLegacyPolicyWithEnvoysDefaults() throws Exception {
    assertThat(decode(eds().setLbPolicy(Cluster.LbPolicy.RANDOM)).policy()).isEqualTo(new LbPolicy.Random());
    assertThat(decode(eds().setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)).policy())
        .isEqualTo(new LbPolicy.LeastRequest(2, 1.0));
    assertThat(decode(eds().setLbPolicy(Cluster.LbPolicy.RING_HASH)).policy())
        .isEqualTo(new LbPolicy.RingHash(1024, 8388608));
    assertThat(decode(eds().setLbPolicy(Cluster.LbPolicy.MAGLEV)).policy()).isEqualTo(new LbPolicy.Maglev(65537));
    assertThat(notes.notes).isEmpty();
  }

  @Test
  void decodesLegacyPolicyOptions() throws Exception {
    assertThat(decode(eds().setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST).setLeastRequestLbConfig(
        Cluster.LeastRequestLbConfig.newBuilder().setChoiceCount(UInt32Value.of(3))
            .setActiveRequestBias(RuntimeDouble.newBuilder().setDefaultValue(0.5).setRuntimeKey("k")))).policy())
        .isEqualTo(new LbPolicy.LeastRequest(3, 0.5));
    assertThat(decode(eds().setLbPolicy(Cluster.LbPolicy.RING_HASH).setRingHashLbConfig(
        Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(64))
            .setMaximumRingSize(UInt64Value.of(4096)))).policy())
        .isEqualTo(new LbPolicy.RingHash(64, 4096));
    assertThat(decode(eds().setLbPolicy(Cluster.LbPolicy.MAGLEV).setMaglevLbConfig(
        Cluster.MaglevLbConfig.newBuilder().setTableSize(UInt64Value.of(251)))).policy())
        .isEqualTo(new LbPolicy.Maglev(251));
  }

  @Test
  void rejectsUnsupportedLegacyPoliciesAndOptions() {
    assertRejected(eds().setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED), "lb_policy: CLUSTER_PROVIDED is not supported");
    assertRejected(eds().setLbPolicy(Cluster.LbPolicy.RING_HASH).setRingHashLbConfig(
            Cluster.RingHashLbConfig.newBuilder().setHashFunction(Cluster.RingHashLbConfig.HashFunction.MURMUR_HASH_2)),
        "ring_hash_lb_config.hash_function: MURMUR_HASH_2 is not supported (only XX_HASH)");
    assertRejected(eds().setLbPolicy(Cluster.LbPolicy.RING_HASH).setRingHashLbConfig(
            Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(2048))
                .setMaximumRingSize(UInt64Value.of(1024))),
        "ring_hash_lb_config.minimum_ring_size: 2048 is greater than maximum_ring_size 1024");
    assertRejected(eds().setLbPolicy(Cluster.LbPolicy.RING_HASH).setRingHashLbConfig(
            Cluster.RingHashLbConfig.newBuilder().setMaximumRingSize(UInt64Value.of(8388609))),
        "ring_hash_lb_config.maximum_ring_size: must be between 1 and 8388608");
    assertRejected(eds().setLbPolicy(Cluster.LbPolicy.RING_HASH).setRingHashLbConfig(
            Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(0))),
        "ring_hash_lb_config.minimum_ring_size: must be between 1 and 8388608");
    assertRejected(eds().setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST).setLeastRequestLbConfig(
            Cluster.LeastRequestLbConfig.newBuilder().setChoiceCount(UInt32Value.of(1))),
        "least_request_lb_config.choice_count: must be at least 2");
    assertRejected(eds().setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST).setLeastRequestLbConfig(
            Cluster.LeastRequestLbConfig.newBuilder()
                .setActiveRequestBias(RuntimeDouble.newBuilder().setDefaultValue(-1))),
        "least_request_lb_config.active_request_bias: must be a non-negative number");
    assertRejected(eds().setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST).setLeastRequestLbConfig(
            Cluster.LeastRequestLbConfig.newBuilder().setSlowStartConfig(
                Cluster.SlowStartConfig.getDefaultInstance())),
        "least_request_lb_config.slow_start_config: not supported");
    assertRejected(eds().setLbPolicy(Cluster.LbPolicy.MAGLEV).setMaglevLbConfig(
            Cluster.MaglevLbConfig.newBuilder().setTableSize(UInt64Value.of(65536))),
        "maglev_lb_config.table_size: 65536 is not a prime number");
    assertRejected(eds().setLbPolicy(Cluster.LbPolicy.MAGLEV).setMaglevLbConfig(
            Cluster.MaglevLbConfig.newBuilder().setTableSize(UInt64Value.of(5000012))),
        "maglev_lb_config.table_size: must be at most 5000011");
  }

  @Test
  void optionsOfAPolicyNotInUseAreNoted() throws Exception {
    decode(eds().setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(8))));
    assertThat(notes.notes).containsExactly("CDS: ring_hash_lb_config (lb_policy is not RING_HASH)");
  }

  @Test
  void commonLbConfigPanicThresholdAndLocalityWeights() throws Exception {
    LoadBalancerConfig config = decode(eds().setCommonLbConfig(Cluster.CommonLbConfig.newBuilder()
        .setHealthyPanicThreshold(Percent.newBuilder().setValue(25))
        .setLocalityWeightedLbConfig(Cluster.CommonLbConfig.LocalityWeightedLbConfig.getDefaultInstance())
        .setUpdateMergeWindow(com.google.protobuf.Duration.newBuilder().setSeconds(1))));
    assertThat(config).isEqualTo(new LoadBalancerConfig(new LbPolicy.RoundRobin(), 25.0, true));
    assertThat(notes.notes).containsExactly("CDS: common_lb_config.update_merge_window");
    assertThat(decode(eds().setCommonLbConfig(Cluster.CommonLbConfig.newBuilder()
        .setHealthyPanicThreshold(Percent.newBuilder().setValue(0)))).healthyPanicThreshold()).isZero();
  }

  @Test
  void rejectsCommonLbConfigThatChangesPicking() {
    assertRejected(eds().setCommonLbConfig(Cluster.CommonLbConfig.newBuilder()
            .setHealthyPanicThreshold(Percent.newBuilder().setValue(101))),
        "common_lb_config.healthy_panic_threshold: must be in [0, 100]");
    assertRejected(eds().setCommonLbConfig(Cluster.CommonLbConfig.newBuilder()
            .setConsistentHashingLbConfig(Cluster.CommonLbConfig.ConsistentHashingLbConfig.newBuilder()
                .setUseHostnameForHashing(true))),
        "common_lb_config.consistent_hashing_lb_config.use_hostname_for_hashing: not supported (endpoints are "
            + "hashed by address)");
    assertRejected(eds().setCommonLbConfig(Cluster.CommonLbConfig.newBuilder()
            .setConsistentHashingLbConfig(Cluster.CommonLbConfig.ConsistentHashingLbConfig.newBuilder()
                .setHashBalanceFactor(UInt32Value.of(150)))),
        "common_lb_config.consistent_hashing_lb_config.hash_balance_factor: not supported");
    assertRejected(eds().setCommonLbConfig(Cluster.CommonLbConfig.newBuilder()
            .setOverrideHostStatus(io.envoyproxy.envoy.config.core.v3.HealthStatusSet.getDefaultInstance()
                .toBuilder().addStatuses(io.envoyproxy.envoy.config.core.v3.HealthStatus.HEALTHY))),
        "common_lb_config.override_host_status: not supported");
  }

  @Test
  void typedPoliciesTakeTheFirstSupported() throws Exception {
    assertThat(decode(policies(Empty.getDefaultInstance(), RingHash.newBuilder()
        .setMinimumRingSize(UInt64Value.of(16)).build(), RoundRobin.getDefaultInstance())).policy())
        .isEqualTo(new LbPolicy.RingHash(16, 8388608));
    assertThat(decode(policies(LeastRequest.newBuilder().setChoiceCount(UInt32Value.of(4))
        .setLocalityLbConfig(LocalityLbConfig.newBuilder().setLocalityWeightedLbConfig(
            LocalityLbConfig.LocalityWeightedLbConfig.getDefaultInstance())).build())))
        .isEqualTo(new LoadBalancerConfig(new LbPolicy.LeastRequest(4, 1.0), 50.0, true));
    assertThat(decode(policies(Random.getDefaultInstance())).policy()).isEqualTo(new LbPolicy.Random());
    assertThat(decode(policies(Maglev.newBuilder().setTableSize(UInt64Value.of(1031))
        .setLocalityWeightedLbConfig(LocalityLbConfig.LocalityWeightedLbConfig.getDefaultInstance()).build())))
        .isEqualTo(new LoadBalancerConfig(new LbPolicy.Maglev(1031), 50.0, true));
    assertThat(decode(policies(RoundRobin.getDefaultInstance())).policy()).isEqualTo(new LbPolicy.RoundRobin());
    assertThat(notes.notes).isEmpty();
    decode(policies(RoundRobin.getDefaultInstance()).setLbPolicy(Cluster.LbPolicy.MAGLEV));
    assertThat(notes.notes).containsExactly("CDS: lb_policy and *_lb_config (load_balancing_policy takes precedence)");
  }

  @Test
  @SuppressWarnings("deprecation") // enable_full_scan: deprecated, still sent by older control planes
  void rejectsUnsupportedTypedPolicies() {
    assertRejected(policies(Empty.getDefaultInstance()),
        "load_balancing_policy: no supported policy (supported: round_robin, least_request, random, ring_hash, "
            + "maglev)");
    String path = "load_balancing_policy.policies[0].typed_extension_config.typed_config.";
    assertRejected(policies(RoundRobin.newBuilder().setSlowStartConfig(SlowStartConfig.getDefaultInstance()).build()),
        path + "slow_start_config: not supported");
    assertRejected(policies(LeastRequest.newBuilder().setEnableFullScan(
            com.google.protobuf.BoolValue.of(true)).build()), path + "enable_full_scan: not supported");
    assertRejected(policies(RingHash.newBuilder().setHashFunction(RingHash.HashFunction.MURMUR_HASH_2).build()),
        path + "hash_function: MURMUR_HASH_2 is not supported (only XX_HASH)");
    assertRejected(policies(RingHash.newBuilder().setConsistentHashingLbConfig(
            ConsistentHashingLbConfig.newBuilder().setUseHostnameForHashing(true)).build()),
        path + "consistent_hashing_lb_config.use_hostname_for_hashing: not supported (endpoints are hashed by address)");
    assertRejected(policies(Maglev.newBuilder().setTableSize(UInt64Value.of(100)).build()),
        path + "table_size: 100 is not a prime number");
    assertRejected(policies(LeastRequest.newBuilder().setChoiceCount(UInt32Value.of(0)).build()),
        path + "choice_count: must be at least 2");
  }
}

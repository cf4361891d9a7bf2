package io.mesh4j.runtime.cluster;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy;
import io.envoyproxy.envoy.extensions.load_balancing_policies.common.v3.ConsistentHashingLbConfig;
import io.envoyproxy.envoy.extensions.load_balancing_policies.common.v3.LocalityLbConfig;
import io.envoyproxy.envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest;
import io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.Maglev;
import io.envoyproxy.envoy.extensions.load_balancing_policies.random.v3.Random;
import io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash;
import io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin;
import io.mesh4j.runtime.model.LbPolicy;
import io.mesh4j.runtime.model.LoadBalancerConfig;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.Set;

/**
 * Decodes a cluster's load balancing: {@code lb_policy} with its {@code *_lb_config}, or {@code load_balancing_policy}
 * (which then wins, as in Envoy: the first policy of the list that we implement is used, as Envoy and gRPC do; none
 * supported is a NACK), plus {@code common_lb_config}.
 *
 * <p>Implemented: ROUND_ROBIN, LEAST_REQUEST ({@code choice_count} default 2, {@code active_request_bias} default 1.0),
 * RANDOM, RING_HASH ({@code minimum_ring_size} default 1024, {@code maximum_ring_size} default 8M, XX_HASH), MAGLEV
 * ({@code table_size} default 65537, prime); {@code common_lb_config.healthy_panic_threshold} (default 50 %) and
 * {@code locality_weighted_lb_config}. Rejected: CLUSTER_PROVIDED, MURMUR_HASH_2, slow start, full scan and other
 * least-request selection methods, {@code hash_balance_factor}, {@code use_hostname_for_hashing},
 * {@code override_host_status}. Noted and ignored: zone-aware routing (Envoy needs a local cluster for it, which a
 * client never has), {@code update_merge_window}, {@code ignore_new_hosts_until_first_hc} (no active health
 * checking), {@code close_connections_on_host_set_change}, the {@code *_lb_config} of a policy not in use and
 * {@code runtime_key}s.
 */
final class LbPolicyDecoder {
  private static final String PREFIX = "type.googleapis.com/envoy.extensions.load_balancing_policies.";
  static final String ROUND_ROBIN = PREFIX + "round_robin.v3.RoundRobin";
  static final String LEAST_REQUEST = PREFIX + "least_request.v3.LeastRequest";
  static final String RANDOM = PREFIX + "random.v3.Random";
  static final String RING_HASH = PREFIX + "ring_hash.v3.RingHash";
  static final String MAGLEV = PREFIX + "maglev.v3.Maglev";

  private static final Set<String> COMMON_HANDLED =
      Set.of("healthy_panic_threshold", "locality_weighted_lb_config", "consistent_hashing_lb_config");
  private static final Set<String> COMMON_IGNORABLE =
      Set.of("zone_aware_lb_config", "update_merge_window", "ignore_new_hosts_until_first_hc",
          "close_connections_on_host_set_change");
  private static final Set<String> LEAST_REQUEST_HANDLED = Set.of("choice_count", "active_request_bias");
  private static final Set<String> RING_HASH_HANDLED = Set.of("minimum_ring_size", "maximum_ring_size", "hash_function");
  private static final Set<String> MAGLEV_HANDLED = Set.of("table_size");
  private static final long MAX_MAGLEV_TABLE_SIZE = 5000011;

  private LbPolicyDecoder() {}

  static LoadBalancerConfig decode(Cluster cluster, DecodeContext context) throws ResourceInvalidException {
    double panic = LoadBalancerConfig.DEFAULT_HEALTHY_PANIC_THRESHOLD;
    boolean localityWeighted = false;
    if (cluster.hasCommonLbConfig()) {
      Cluster.CommonLbConfig common = cluster.getCommonLbConfig();
      FieldAllowList.check(common, "common_lb_config.", COMMON_HANDLED, COMMON_IGNORABLE, "CDS", context);
      if (common.hasHealthyPanicThreshold()) {
        panic = common.getHealthyPanicThreshold().getValue();
        if (!(panic >= 0 && panic <= 100)) {
          throw new ResourceInvalidException("common_lb_config.healthy_panic_threshold: must be in [0, 100]");
        }
      }
      localityWeighted = common.hasLocalityWeightedLbConfig();
      if (common.hasConsistentHashingLbConfig()) {
        consistentHashing(common.getConsistentHashingLbConfig(), "common_lb_config.consistent_hashing_lb_config");
      }
    }
    if (cluster.hasLoadBalancingPolicy()) {
      return fromPolicyList(cluster, panic, localityWeighted, context);
    }
    LbPolicy policy;
    switch (cluster.getLbPolicy()) {
      case ROUND_ROBIN -> policy = new LbPolicy.RoundRobin();
      case RANDOM -> policy = new LbPolicy.Random();
      case LEAST_REQUEST -> policy = leastRequest(cluster);
      case RING_HASH -> policy = ringHash(cluster);
      case MAGLEV -> policy = maglev(cluster);
      default -> throw new ResourceInvalidException("lb_policy: " + cluster.getLbPolicy() + " is not supported");
    }
    noteUnused(cluster, policy, context);
    return new LoadBalancerConfig(policy, panic, localityWeighted);
  }

  private static LbPolicy leastRequest(Cluster cluster) throws ResourceInvalidException {
    if (!cluster.hasLeastRequestLbConfig()) {
      return new LbPolicy.LeastRequest(LbPolicy.LeastRequest.DEFAULT_CHOICE_COUNT,
          LbPolicy.LeastRequest.DEFAULT_ACTIVE_REQUEST_BIAS);
    }
    Cluster.LeastRequestLbConfig config = cluster.getLeastRequestLbConfig();
    String path = "least_request_lb_config.";
    FieldAllowList.check(config, path, LEAST_REQUEST_HANDLED, Set.of(), "CDS", DecodeContext.discarding());
    return leastRequest(config.hasChoiceCount(), config.getChoiceCount().getValue(), config.hasActiveRequestBias(),
        config.getActiveRequestBias().getDefaultValue(), path);
  }

  private static LbPolicy leastRequest(boolean hasCount, int count, boolean hasBias, double bias, String path)
      throws ResourceInvalidException {
    int choiceCount = LbPolicy.LeastRequest.DEFAULT_CHOICE_COUNT;
    if (hasCount) {
      if (Integer.toUnsignedLong(count) < 2) {
        throw new ResourceInvalidException(path + "choice_count: must be at least 2");
      }
      choiceCount = count < 0 ? Integer.MAX_VALUE : count;
    }
    double activeRequestBias = LbPolicy.LeastRequest.DEFAULT_ACTIVE_REQUEST_BIAS;
    if (hasBias) {
      if (!(bias >= 0) || Double.isInfinite(bias)) {
        throw new ResourceInvalidException(path + "active_request_bias: must be a non-negative number");
      }
      activeRequestBias = bias;
    }
    return new LbPolicy.LeastRequest(choiceCount, activeRequestBias);
  }

  private static LbPolicy ringHash(Cluster cluster) throws ResourceInvalidException {
    if (!cluster.hasRingHashLbConfig()) {
      return new LbPolicy.RingHash(LbPolicy.RingHash.DEFAULT_MINIMUM_RING_SIZE,
          LbPolicy.RingHash.DEFAULT_MAXIMUM_RING_SIZE);
    }
    Cluster.RingHashLbConfig config = cluster.getRingHashLbConfig();
    String path = "ring_hash_lb_config.";
    FieldAllowList.check(config, path, RING_HASH_HANDLED, Set.of(), "CDS", DecodeContext.discarding());
    if (config.getHashFunction() != Cluster.RingHashLbConfig.HashFunction.XX_HASH) {
      throw new ResourceInvalidException(path + "hash_function: " + config.getHashFunction()
          + " is not supported (only XX_HASH)");
    }
    return ringSizes(config.hasMinimumRingSize(), config.getMinimumRingSize().getValue(),
        config.hasMaximumRingSize(), config.getMaximumRingSize().getValue(), path);
  }

  private static LbPolicy ringSizes(boolean hasMin, long min, boolean hasMax, long max, String path)
      throws ResourceInvalidException {
    long minimum = hasMin ? min : LbPolicy.RingHash.DEFAULT_MINIMUM_RING_SIZE;
    long maximum = hasMax ? max : LbPolicy.RingHash.DEFAULT_MAXIMUM_RING_SIZE;
    // Envoy's bounds: both in [1, 8M] and minimum <= maximum.
    if (Long.compareUnsigned(minimum, LbPolicy.RingHash.DEFAULT_MAXIMUM_RING_SIZE) > 0 || minimum == 0) {
      throw new ResourceInvalidException(path + "minimum_ring_size: must be between 1 and 8388608");
    }
    if (Long.compareUnsigned(maximum, LbPolicy.RingHash.DEFAULT_MAXIMUM_RING_SIZE) > 0 || maximum == 0) {
      throw new ResourceInvalidException(path + "maximum_ring_size: must be between 1 and 8388608");
    }
    if (minimum > maximum) {
      throw new ResourceInvalidException(path + "minimum_ring_size: " + minimum + " is greater than maximum_ring_size "
          + maximum);
    }
    return new LbPolicy.RingHash(minimum, maximum);
  }

  private static LbPolicy maglev(Cluster cluster) throws ResourceInvalidException {
    if (!cluster.hasMaglevLbConfig()) {
      return new LbPolicy.Maglev(LbPolicy.Maglev.DEFAULT_TABLE_SIZE);
    }
    Cluster.MaglevLbConfig config = cluster.getMaglevLbConfig();
    FieldAllowList.check(config, "maglev_lb_config.", MAGLEV_HANDLED, Set.of(), "CDS", DecodeContext.discarding());
    return tableSize(config.hasTableSize(), config.getTableSize().getValue(), "maglev_lb_config.table_size");
  }

  private static LbPolicy tableSize(boolean has, long size, String path) throws ResourceInvalidException {
    if (!has) {
      return new LbPolicy.Maglev(LbPolicy.Maglev.DEFAULT_TABLE_SIZE);
    }
    if (Long.compareUnsigned(size, MAX_MAGLEV_TABLE_SIZE) > 0) {
      throw new ResourceInvalidException(path + ": must be at most " + MAX_MAGLEV_TABLE_SIZE);
    }
    if (!java.math.BigInteger.valueOf(size).isProbablePrime(30)) {
      throw new ResourceInvalidException(path + ": " + size + " is not a prime number");
    }
    return new LbPolicy.Maglev((int) size);
  }

  /** The {@code *_lb_config} of policies other than the one in use change nothing, as in Envoy. */
  private static void noteUnused(Cluster cluster, LbPolicy policy, DecodeContext context) {
    if (cluster.hasLeastRequestLbConfig() && !(policy instanceof LbPolicy.LeastRequest)) {
      context.ignoredField("CDS: least_request_lb_config (lb_policy is not LEAST_REQUEST)");
    }
    if (cluster.hasRingHashLbConfig() && !(policy instanceof LbPolicy.RingHash)) {
      context.ignoredField("CDS: ring_hash_lb_config (lb_policy is not RING_HASH)");
    }
    if (cluster.hasMaglevLbConfig() && !(policy instanceof LbPolicy.Maglev)) {
      context.ignoredField("CDS: maglev_lb_config (lb_policy is not MAGLEV)");
    }
  }

  private static LoadBalancerConfig fromPolicyList(
      Cluster cluster, double panic, boolean localityWeighted, DecodeContext context)
      throws ResourceInvalidException {
    if (cluster.getLbPolicy() != Cluster.LbPolicy.ROUND_ROBIN
        || cluster.hasLeastRequestLbConfig() || cluster.hasRingHashLbConfig() || cluster.hasMaglevLbConfig()) {
      context.ignoredField("CDS: lb_policy and *_lb_config (load_balancing_policy takes precedence)");
    }
    LoadBalancingPolicy list = cluster.getLoadBalancingPolicy();
    for (int i = 0; i < list.getPoliciesCount(); i++) {
      Any typed = list.getPolicies(i).getTypedExtensionConfig().getTypedConfig();
      String path = "load_balancing_policy.policies[" + i + "].typed_extension_config.typed_config.";
      switch (typed.getTypeUrl()) {
        case ROUND_ROBIN -> {
          RoundRobin rr = unpack(typed, RoundRobin.class, path);
          FieldAllowList.check(rr, path, Set.of("locality_lb_config"), Set.of(), "CDS", context);
          return new LoadBalancerConfig(new LbPolicy.RoundRobin(), panic,
              localityLb(rr.hasLocalityLbConfig(), rr.getLocalityLbConfig(), localityWeighted, context));
        }
        case RANDOM -> {
          Random random = unpack(typed, Random.class, path);
          FieldAllowList.check(random, path, Set.of("locality_lb_config"), Set.of(), "CDS", context);
          return new LoadBalancerConfig(new LbPolicy.Random(), panic,
              localityLb(random.hasLocalityLbConfig(), random.getLocalityLbConfig(), localityWeighted, context));
        }
        case LEAST_REQUEST -> {
          LeastRequest lr = unpack(typed, LeastRequest.class, path);
          FieldAllowList.check(lr, path, Set.of("choice_count", "active_request_bias", "locality_lb_config"), Set.of(),
              "CDS", context);
          LbPolicy policy = leastRequest(lr.hasChoiceCount(), lr.getChoiceCount().getValue(),
              lr.hasActiveRequestBias(), lr.getActiveRequestBias().getDefaultValue(), path);
          return new LoadBalancerConfig(policy, panic,
              localityLb(lr.hasLocalityLbConfig(), lr.getLocalityLbConfig(), localityWeighted, context));
        }
        case RING_HASH -> {
          RingHash rh = unpack(typed, RingHash.class, path);
          FieldAllowList.check(rh, path, Set.of("minimum_ring_size", "maximum_ring_size", "hash_function",
              "consistent_hashing_lb_config", "locality_weighted_lb_config"), Set.of(), "CDS", context);
          if (rh.getHashFunction() != RingHash.HashFunction.XX_HASH
              && rh.getHashFunction() != RingHash.HashFunction.DEFAULT_HASH) {
            throw new ResourceInvalidException(path + "hash_function: " + rh.getHashFunction()
                + " is not supported (only XX_HASH)");
          }
          if (rh.hasConsistentHashingLbConfig()) {
            consistentHashing(rh.getConsistentHashingLbConfig(), path + "consistent_hashing_lb_config");
          }
          LbPolicy policy = ringSizes(rh.hasMinimumRingSize(), rh.getMinimumRingSize().getValue(),
              rh.hasMaximumRingSize(), rh.getMaximumRingSize().getValue(), path);
          return new LoadBalancerConfig(policy, panic, localityWeighted || rh.hasLocalityWeightedLbConfig());
        }
        case MAGLEV -> {
          Maglev mg = unpack(typed, Maglev.class, path);
          FieldAllowList.check(mg, path, Set.of("table_size", "consistent_hashing_lb_config",
              "locality_weighted_lb_config"), Set.of(), "CDS", context);
          if (mg.hasConsistentHashingLbConfig()) {
            consistentHashing(mg.getConsistentHashingLbConfig(), path + "consistent_hashing_lb_config");
          }
          LbPolicy policy = tableSize(mg.hasTableSize(), mg.getTableSize().getValue(), path + "table_size");
          return new LoadBalancerConfig(policy, panic, localityWeighted || mg.hasLocalityWeightedLbConfig());
        }
        default -> {
          // Not ours: try the next one, as Envoy and gRPC do.
        }
      }
    }
    throw new ResourceInvalidException("load_balancing_policy: no supported policy (supported: round_robin, "
        + "least_request, random, ring_hash, maglev)");
  }

  private static boolean localityLb(boolean has, LocalityLbConfig config, boolean fromCommon, DecodeContext context) {
    if (!has) {
      return fromCommon;
    }
    if (config.hasZoneAwareLbConfig()) {
      context.ignoredField("CDS: locality_lb_config.zone_aware_lb_config (needs a local cluster)");
    }
    return fromCommon || config.hasLocalityWeightedLbConfig();
  }

  private static void consistentHashing(ConsistentHashingLbConfig config, String path)
      throws ResourceInvalidException {
    if (config.getUseHostnameForHashing()) {
      throw new ResourceInvalidException(path + ".use_hostname_for_hashing: not supported (endpoints are hashed "
          + "by address)");
    }
    if (config.hasHashBalanceFactor()) {
      throw new ResourceInvalidException(path + ".hash_balance_factor: not supported");
    }
  }

  private static void consistentHashing(Cluster.CommonLbConfig.ConsistentHashingLbConfig config, String path)
      throws ResourceInvalidException {
    if (config.getUseHostnameForHashing()) {
      throw new ResourceInvalidException(path + ".use_hostname_for_hashing: not supported (endpoints are hashed "
          + "by address)");
    }
    if (config.hasHashBalanceFactor()) {
      throw new ResourceInvalidException(path + ".hash_balance_factor: not supported");
    }
  }

  private static <T extends Message> T unpack(Any any, Class<T> type, String path) throws ResourceInvalidException {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new ResourceInvalidException(path + " cannot unpack " + type.getSimpleName() + ": " + e.getMessage());
    }
  }
}

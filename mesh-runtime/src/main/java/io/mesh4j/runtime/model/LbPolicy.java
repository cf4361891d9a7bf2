package io.mesh4j.runtime.model;

/**
 * A cluster's load-balancing policy, from {@code lb_policy} and its {@code *_lb_config}, or from the first supported
 * entry of {@code load_balancing_policy}. Values carry Envoy's defaults when the control plane left them unset.
 */
public sealed interface LbPolicy {

  /** ROUND_ROBIN: weighted round robin. */
  record RoundRobin() implements LbPolicy {}

  /**
   * LEAST_REQUEST: with equal weights, the least loaded of {@code choiceCount} random endpoints; with unequal weights,
   * weights scaled by {@code 1 / (active + 1)^activeRequestBias}.
   */
  record LeastRequest(int choiceCount, double activeRequestBias) implements LbPolicy {
    public static final int DEFAULT_CHOICE_COUNT = 2;
    public static final double DEFAULT_ACTIVE_REQUEST_BIAS = 1.0;

    public LeastRequest {
      if (choiceCount < 2) {
        throw new IllegalArgumentException("choiceCount must be at least 2: " + choiceCount);
      }
      if (!(activeRequestBias >= 0)) {
        throw new IllegalArgumentException("activeRequestBias must be non-negative: " + activeRequestBias);
      }
    }
  }

  /** RANDOM: a uniformly random endpoint (Envoy's random balancer does not weigh endpoints). */
  record Random() implements LbPolicy {}

  /** RING_HASH (Ketama) with xxHash64. */
  record RingHash(long minimumRingSize, long maximumRingSize) implements LbPolicy {
    public static final long DEFAULT_MINIMUM_RING_SIZE = 1024;
    public static final long DEFAULT_MAXIMUM_RING_SIZE = 8 * 1024 * 1024;

    public RingHash {
      if (minimumRingSize < 1 || maximumRingSize < minimumRingSize || maximumRingSize > DEFAULT_MAXIMUM_RING_SIZE) {
        throw new IllegalArgumentException("bad ring sizes: " + minimumRingSize + ".." + maximumRingSize);
      }
    }
  }

  /** MAGLEV with a prime lookup-table size. */
  record Maglev(int tableSize) implements LbPolicy {
    public static final int DEFAULT_TABLE_SIZE = 65537;

    public Maglev {
      if (tableSize < 2) {
        throw new IllegalArgumentException("tableSize must be a prime: " + tableSize);
      }
    }
  }
}

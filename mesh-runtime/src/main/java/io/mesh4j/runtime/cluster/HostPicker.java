package io.mesh4j.runtime.cluster;

/**
 * Picks one endpoint among a fixed set (one priority, or one locality of it) under one load-balancing policy.
 * Immutable apart from atomic counters; built when the set changes.
 */
interface HostPicker {

  /**
   * @param hash the request's hash ({@code hash_policy}), or a random value when it has none
   * @param random a uniformly random value for this pick
   */
  EndpointState pick(long hash, long random);

  /** SplitMix64's finalizer: derives independent-looking values from one draw, so one draw serves several choices. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static int index(long random, int size) {
    return (int) Long.remainderUnsigned(random, size);
  }
}

package io.mesh4j.runtime.cluster;

import io.mesh4j.runtime.util.XxHash64;

/**
 * RING_HASH as Envoy's {@code RingHashLoadBalancer} (Ketama): each endpoint gets a share of
 * {@code scale = min(ceil(min_weight * minimum_ring_size) / min_weight, maximum_ring_size)} ring points proportional
 * to its normalized weight, point {@code i} of endpoint {@code ip:port} at {@code xxHash64("ip:port_i")}; a request
 * goes to the first point at or after its hash, wrapping around. Same points as Envoy for the same endpoints, so the
 * same hash lands on the same endpoint, and adding an endpoint moves only the keys its new points take.
 */
final class RingHashHostPicker implements HostPicker {
  private final EndpointState[] hosts;
  private final long[] ringHashes;
  private final int[] ringOwners;

  /**
   * @param normalizedWeights per host, summing to 1
   */
  RingHashHostPicker(EndpointState[] hosts, double[] normalizedWeights, long minimumRingSize, long maximumRingSize) {
    this.hosts = hosts;
    double minWeight = Double.MAX_VALUE;
    for (double w : normalizedWeights) {
      minWeight = Math.min(minWeight, w);
    }
    double scale = Math.min(Math.ceil(minWeight * minimumRingSize) / minWeight, (double) maximumRingSize);
    int capacity = (int) Math.ceil(scale) + hosts.length;
    long[] hashes = new long[capacity];
    int[] owners = new int[capacity];
    int size = 0;
    double current = 0;
    double target = 0;
    for (int h = 0; h < hosts.length; h++) {
      String prefix = hosts[h].endpoint().hostPort() + "_";
      target += scale * normalizedWeights[h];
      for (long i = 0; current < target; i++, current++) {
        if (size == capacity) {
          break; // floating-point slack; Envoy's ring has at most ceil(scale) entries too
        }
        hashes[size] = XxHash64.hash(prefix + i);
        owners[size] = h;
        size++;
      }
    }
    this.ringHashes = java.util.Arrays.copyOf(hashes, size);
    this.ringOwners = java.util.Arrays.copyOf(owners, size);
    heapSortUnsigned(ringHashes, ringOwners);
  }

  int ringSize() {
    return ringHashes.length;
  }

  @Override
  public EndpointState pick(long hash, long random) {
    int lo = 0;
    int hi = ringHashes.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(ringHashes[mid], hash) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return hosts[ringOwners[lo == ringHashes.length ? 0 : lo]];
  }

  /** Sorts the ring by unsigned hash, keeping owners alongside (heapsort: in place, no boxing, no worst case). */
  private static void heapSortUnsigned(long[] keys, int[] values) {
    int n = keys.length;
    for (int i = n / 2 - 1; i >= 0; i--) {
      siftDown(keys, values, i, n);
    }
    for (int end = n - 1; end > 0; end--) {
      swap(keys, values, 0, end);
      siftDown(keys, values, 0, end);
    }
  }

  private static void siftDown(long[] keys, int[] values, int root, int n) {
    while (true) {
      int child = 2 * root + 1;
      if (child >= n) {
        return;
      }
      if (child + 1 < n && Long.compareUnsigned(keys[child + 1], keys[child]) > 0) {
        child++;
      }
      if (Long.compareUnsigned(keys[root], keys[child]) >= 0) {
        return;
      }
      swap(keys, values, root, child);
      root = child;
    }
  }

  private static void swap(long[] keys, int[] values, int a, int b) {
    long k = keys[a];
    keys[a] = keys[b];
    keys[b] = k;
    int v = values[a];
    values[a] = values[b];
    values[b] = v;
  }
}

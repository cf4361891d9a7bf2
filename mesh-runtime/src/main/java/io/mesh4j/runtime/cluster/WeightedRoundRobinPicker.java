package io.mesh4j.runtime.cluster;

import io.mesh4j.runtime.model.LbEndpoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Round robin that honours endpoint weights, as Envoy's ROUND_ROBIN does. The order is computed once, when the
 * endpoints change: with equal weights it is plain rotation; otherwise a smooth weighted sequence (each endpoint
 * spread evenly over one cycle, never bursts of the heavy one), and for very large weight sums a low-discrepancy
 * walk over cumulative weights, so memory stays bounded. A request does one atomic increment.
 */
final class WeightedRoundRobinPicker implements EndpointPicker {
  /** Longest precomputed cycle; beyond it the cumulative walk keeps the same proportions without the table. */
  static final int MAX_SEQUENCE = 4096;
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private final LbEndpoint[] endpoints;
  private final int[] sequence;
  private final long[] cumulative;
  private final AtomicLong next;

  WeightedRoundRobinPicker(List<LbEndpoint> endpoints, long start) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no endpoints");
    }
    this.endpoints = endpoints.toArray(new LbEndpoint[0]);
    this.next = new AtomicLong(start);
    long[] weights = reducedWeights(this.endpoints);
    long total = 0;
    for (long w : weights) {
      total += w;
    }
    if (total == this.endpoints.length) {
      this.sequence = null;
      this.cumulative = null;
    } else if (total <= MAX_SEQUENCE) {
      this.sequence = smoothSequence(weights, (int) total);
      this.cumulative = null;
    } else {
      this.sequence = null;
      this.cumulative = new long[weights.length];
      long sum = 0;
      for (int i = 0; i < weights.length; i++) {
        sum += weights[i];
        cumulative[i] = sum;
      }
    }
  }

  @Override
  public LbEndpoint pick() {
    return endpoints[pickIndex()];
  }

  /** The position, in the list given to the constructor, of the endpoint for the next attempt. */
  int pickIndex() {
    long n = next.getAndIncrement();
    if (sequence != null) {
      return sequence[(int) Long.remainderUnsigned(n, sequence.length)];
    }
    if (cumulative == null) {
      return (int) Long.remainderUnsigned(n, endpoints.length);
    }
    long total = cumulative[cumulative.length - 1];
    long point = Long.remainderUnsigned(n * GOLDEN_GAMMA, total);
    return firstAbove(cumulative, point);
  }

  private static int firstAbove(long[] cumulative, long point) {
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] > point) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Weights divided by their greatest common divisor, so 50/50 becomes a rotation and 900/100 a cycle of 10. */
  private static long[] reducedWeights(LbEndpoint[] endpoints) {
    long gcd = 0;
    for (LbEndpoint e : endpoints) {
      gcd = gcd(gcd, e.weight());
    }
    long[] weights = new long[endpoints.length];
    for (int i = 0; i < endpoints.length; i++) {
      weights[i] = endpoints[i].weight() / gcd;
    }
    return weights;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /** nginx's smooth weighted round robin, unrolled over one full cycle. */
  private static int[] smoothSequence(long[] weights, int total) {
    int[] sequence = new int[total];
    long[] current = new long[weights.length];
    for (int slot = 0; slot < total; slot++) {
      int best = 0;
      for (int i = 0; i < weights.length; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      sequence[slot] = best;
    }
    return sequence;
  }
}

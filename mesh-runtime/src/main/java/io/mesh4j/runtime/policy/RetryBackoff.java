package io.mesh4j.runtime.policy;

import java.time.Duration;

/**
 * Envoy's retry back-off: fully jittered exponential. Before retry n (1-based) it waits a uniformly random time in
 * [0, min(base * 2^(n-1), max)), as Envoy's JitteredExponentialBackOffStrategy ({@code random % interval}).
 *
 * @param baseNanos {@code retry_back_off.base_interval}, default 25 ms
 * @param maxNanos {@code retry_back_off.max_interval}, default 10 x base
 */
public record RetryBackoff(long baseNanos, long maxNanos) {
  public static final Duration DEFAULT_BASE = Duration.ofMillis(25);
  public static final RetryBackoff DEFAULT = of(DEFAULT_BASE, null);

  public RetryBackoff {
    if (baseNanos <= 0 || maxNanos < baseNanos) {
      throw new IllegalArgumentException("need 0 < base <= max, got " + baseNanos + ", " + maxNanos);
    }
  }

  /** @param max {@code null} for Envoy's default, 10 x base */
  public static RetryBackoff of(Duration base, Duration max) {
    long b = base.toNanos();
    return new RetryBackoff(b, max == null ? Math.multiplyExact(b, 10) : max.toNanos());
  }

  /**
   * @param retry 1 for the first retry
   * @param random uniformly distributed non-negative long
   */
  public long delayNanos(int retry, long random) {
    long ceiling = maxNanos;
    int shift = retry - 1;
    if (shift < 62 && baseNanos <= (maxNanos >> shift)) {
      ceiling = baseNanos << shift;
    }
    // Uniform in [0, ceiling): the modulo bias is below ceiling / 2^63, negligible for nanosecond ceilings.
    return (random & Long.MAX_VALUE) % ceiling;
  }
}

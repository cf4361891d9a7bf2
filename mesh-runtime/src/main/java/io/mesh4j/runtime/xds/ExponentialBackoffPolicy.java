package io.mesh4j.runtime.xds;

import java.time.Duration;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Exponential backoff with jitter, as gRPC's connection backoff: the first delay is {@code initial}, each next one
 * {@code multiplier} times longer up to {@code max}, and every delay is spread by {@code ±jitter} of itself so that
 * many clients do not reconnect in step.
 */
public final class ExponentialBackoffPolicy implements BackoffPolicy {
  private final long maxNanos;
  private final double multiplier;
  private final double jitter;
  private final Random random;
  private long nextNanos;

  public ExponentialBackoffPolicy(Duration initial, Duration max, double multiplier, double jitter, Random random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || multiplier < 1 || jitter < 0
        || jitter > 1) {
      throw new IllegalArgumentException("bad backoff parameters");
    }
    this.nextNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.multiplier = multiplier;
    this.jitter = jitter;
    this.random = random;
  }

  /** gRPC's defaults: 1 s initial, ×1.6, ±20 %, at most 120 s. */
  public static Supplier<BackoffPolicy> grpcDefaults(Random random) {
    return () -> new ExponentialBackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(120), 1.6, 0.2, random);
  }

  @Override
  public long nextBackoffNanos() {
    long current = nextNanos;
    nextNanos = Math.min((long) (current * multiplier), maxNanos);
    double spread = jitter * current;
    return current + (long) ((random.nextDouble() * 2 - 1) * spread);
  }
}

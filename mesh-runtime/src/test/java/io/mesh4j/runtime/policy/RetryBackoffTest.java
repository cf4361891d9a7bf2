package io.mesh4j.runtime.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Envoy's fully jittered exponential back-off (vector 27's numbers). */
class RetryBackoffTest {
  private static final long MS = 1_000_000;

  @Test
  void defaultsAreBase25msAndMaxTenTimesBase() {
    assertThat(RetryBackoff.DEFAULT.baseNanos()).isEqualTo(25 * MS);
    assertThat(RetryBackoff.DEFAULT.maxNanos()).isEqualTo(250 * MS);
    assertThat(RetryBackoff.of(Duration.ofMillis(100), null).maxNanos()).isEqualTo(1000 * MS);
  }

  @Test
  void ceilingDoublesPerRetryUpToMax() {
    RetryBackoff backoff = RetryBackoff.DEFAULT;
    // random = Long.MAX_VALUE gives the top of [0, ceiling): ceiling - 1 for these ceilings.
    assertThat(backoff.delayNanos(1, Long.MAX_VALUE)).isLessThan(25 * MS);
    assertThat(backoff.delayNanos(1, 25 * MS - 1)).isEqualTo(25 * MS - 1);
    assertThat(backoff.delayNanos(2, 50 * MS - 1)).isEqualTo(50 * MS - 1);
    assertThat(backoff.delayNanos(3, 100 * MS - 1)).isEqualTo(100 * MS - 1);
    assertThat(backoff.delayNanos(4, 200 * MS - 1)).isEqualTo(200 * MS - 1);
    assertThat(backoff.delayNanos(5, 250 * MS - 1)).isEqualTo(250 * MS - 1);
    assertThat(backoff.delayNanos(5, 250 * MS)).isZero();
    assertThat(backoff.delayNanos(64, 250 * MS - 1)).isEqualTo(250 * MS - 1);
    assertThat(backoff.delayNanos(1, 0)).isZero();
  }

  @Test
  void delaysAreUniformOverTheWholeRange() {
    SplittableRandom random = new SplittableRandom(7);
    int n = 20_000;
    int belowHalf = 0;
    long max = 0;
    for (int i = 0; i < n; i++) {
      long d = RetryBackoff.DEFAULT.delayNanos(1, random.nextLong() >>> 1);
      assertThat(d).isBetween(0L, 25 * MS - 1);
      max = Math.max(max, d);
      if (d < 12_500_000) {
        belowHalf++;
      }
    }
    // Binomial(n, 0.5): standard deviation sqrt(n)/2 = 70.7; 5 sigma is 354.
    assertThat(belowHalf).isBetween(n / 2 - 354, n / 2 + 354);
    assertThat(max).isGreaterThan(24 * MS);
  }

  @Test
  void rejectsNonPositiveBaseAndMaxBelowBase() {
    assertThatThrownBy(() -> new RetryBackoff(0, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryBackoff(10, 9)).isInstanceOf(IllegalArgumentException.class);
  }
}

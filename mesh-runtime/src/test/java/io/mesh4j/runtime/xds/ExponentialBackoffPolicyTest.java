package io.mesh4j.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExponentialBackoffPolicyTest {

  /** A Random whose nextDouble() is always {@code value}: 0 gives the low edge of the jitter, 1 the high one. */
  private static Random fixed(double value) {
    return new Random() {
      @Override
      public double nextDouble() {
        return value;
      }
    };
  }

  private static List<Long> firstMillis(BackoffPolicy policy, int n) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Duration.ofNanos(policy.nextBackoffNanos()).toMillis());
    }
    return out;
  }

  @Test
  void grpcDefaultsStartAtOneSecondGrowByOnePointSixAndStopAtTwoMinutes() {
    // Without jitter (nextDouble = 0.5 is the middle of ±20 %): 1, 1.6, 2.56, 4.096, ... capped at 120 s.
    List<Long> middle = firstMillis(ExponentialBackoffPolicy.grpcDefaults(fixed(0.5)).get(), 14);
    assertThat(middle.subList(0, 5)).containsExactly(1000L, 1600L, 2560L, 4096L, 6553L);
    assertThat(middle.get(11)).isEqualTo(120_000L); // 1.6^11 s = 175 s, capped
    assertThat(middle.get(13)).isEqualTo(120_000L);
  }

  @Test
  void jitterSpreadsEachDelayByTwentyPercentOfItself() {
    assertThat(firstMillis(ExponentialBackoffPolicy.grpcDefaults(fixed(0.0)).get(), 2)).containsExactly(800L, 1280L);
    assertThat(firstMillis(ExponentialBackoffPolicy.grpcDefaults(fixed(0.999999)).get(), 2))
        .containsExactly(1199L, 1919L);
    List<Long> capped = firstMillis(ExponentialBackoffPolicy.grpcDefaults(fixed(0.0)).get(), 20);
    assertThat(capped.get(19)).isEqualTo(96_000L); // 120 s − 20 %
  }

  @Test
  void eachSupplierCallStartsANewRun() {
    var policies = ExponentialBackoffPolicy.grpcDefaults(fixed(0.5));
    BackoffPolicy first = policies.get();
    first.nextBackoffNanos();
    first.nextBackoffNanos();
    assertThat(Duration.ofNanos(policies.get().nextBackoffNanos())).isEqualTo(Duration.ofSeconds(1));
  }
}

package io.mesh4j.runtime.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.MeshRoutingException.Reason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CallDeadlineTest {
  private static final long S = 1_000_000_000L;
  private static final long NOW = 100 * S;

  private static RoutePolicy timeout(long nanos) {
    return new RoutePolicy(nanos, 0, -1, null, false);
  }

  @Test
  void theRouteTimeoutWinsWhenEarlierAndIsAnUpstreamTimeout() {
    CallDeadline deadline = CallDeadline.of(timeout(2 * S), null, 5 * S, 0, NOW);
    assertThat(deadline.remainingNanos()).isEqualTo(2 * S);
    assertThat(deadline.nanoTime()).isEqualTo(NOW + 2 * S);
    assertThat(deadline.isMeshTimeout()).isTrue();
    assertThat(deadline.callersPassed(NOW + 3 * S)).isFalse();
    assertThat(deadline.meshTimeout("c").reason()).isEqualTo(Reason.UPSTREAM_TIMEOUT);
    assertThat(deadline.meshTimeout("c").getMessage()).contains("route timeout of PT2S");
  }

  @Test
  void theCallersDeadlineWinsWhenEarlier() {
    CallDeadline deadline = CallDeadline.of(timeout(15 * S), null, 2 * S, 0, NOW);
    assertThat(deadline.remainingNanos()).isEqualTo(2 * S);
    assertThat(deadline.isMeshTimeout()).isFalse();
    assertThat(deadline.callersPassed(NOW + 2 * S - 1)).isFalse();
    assertThat(deadline.callersPassed(NOW + 2 * S)).isTrue();
  }

  @Test
  void aFaultDelayAlreadyWaitedOutUsesUpTheRouteTimeout() {
    CallDeadline deadline = CallDeadline.of(timeout(5 * S), null, -1, 3 * S, NOW);
    assertThat(deadline.remainingNanos()).isEqualTo(2 * S);
    assertThat(deadline.meshTimeout("c").getMessage()).contains("PT5S"); // names the configured timeout
    // A delay past the timeout leaves the smallest positive time: the call times out at once.
    assertThat(CallDeadline.of(timeout(5 * S), null, -1, 9 * S, NOW).remainingNanos()).isEqualTo(1);
  }

  @Test
  void maxStreamDurationOfTheListenerAppliesAndNoDeadlineAtAllIsNone() {
    assertThat(CallDeadline.of(timeout(0), Duration.ofSeconds(3), -1, 0, NOW).remainingNanos()).isEqualTo(3 * S);
    CallDeadline none = CallDeadline.of(timeout(0), null, -1, 0, NOW);
    assertThat(none.exists()).isFalse();
    assertThat(none.nanoTime()).isEqualTo(Long.MAX_VALUE);
    assertThat(none.callersPassed(Long.MAX_VALUE - 1)).isFalse();
  }
}

package io.mesh4j.runtime.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplayBufferTest {
  @Test
  void keepsMessagesUpToTheLimitThenRefusesForGood() {
    ReplayBuffer<String> buffer = new ReplayBuffer<>(10);
    assertThat(buffer.retain("a", 4)).isTrue();
    assertThat(buffer.retain("b", 6)).isTrue(); // exactly the limit still fits
    assertThat(buffer.messages()).containsExactly("a", "b");
    assertThat(buffer.retain("c", 1)).isFalse();
    assertThat(buffer.overflowed()).isTrue();
    buffer.clear();
    // A small message after the overflow does not make the call replayable again.
    assertThat(buffer.retain("d", 1)).isFalse();
    assertThat(buffer.messages()).isEmpty();
  }

  @Test
  void aCommittedCallStillHoldsWhatItOwesTheNextAttempt() {
    ReplayBuffer<String> buffer = new ReplayBuffer<>(1);
    buffer.retain("big", 5);
    buffer.hold("during back-off");
    assertThat(buffer.messages()).containsExactly("during back-off");
  }
}

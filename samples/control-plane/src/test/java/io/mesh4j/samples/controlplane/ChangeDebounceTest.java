package io.mesh4j.samples.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChangeDebounceTest {
  private static final long MS = 1_000_000L;
  private final ChangeDebounce debounce = new ChangeDebounce(300 * MS);

  @Test
  void aBurstSettlesOnceAQuietPeriodAfterItsLastChange() {
    long start = 5_000 * MS;
    for (int i = 0; i < 5; i++) {
      debounce.changed(start + i * 40 * MS);
      assertThat(debounce.settled(start + i * 40 * MS + 39 * MS)).isFalse();
    }
    long last = start + 160 * MS;
    assertThat(debounce.settled(last + 299 * MS)).isFalse();
    assertThat(debounce.settled(last + 300 * MS)).isTrue();
    assertThat(debounce.settled(last + 301 * MS)).as("reported once per burst").isFalse();
    assertThat(debounce.settled(last + 10_000 * MS)).isFalse();
  }

  @Test
  void wakesAtTheEndOfTheQuietPeriodWhenThatComesBeforeTheNextPoll() {
    assertThat(debounce.wakeAt(1_000 * MS)).as("nothing pending").isEqualTo(1_000 * MS);
    debounce.changed(100 * MS);
    assertThat(debounce.wakeAt(1_000 * MS)).isEqualTo(400 * MS);
    assertThat(debounce.wakeAt(200 * MS)).isEqualTo(200 * MS);
  }

  @Test
  void worksAcrossTheNanoTimeOverflow() {
    long nearMax = Long.MAX_VALUE - 100 * MS;
    debounce.changed(nearMax);
    long later = nearMax + 300 * MS; // wraps to negative
    assertThat(debounce.wakeAt(nearMax + 1_000 * MS)).isEqualTo(later);
    assertThat(debounce.settled(nearMax + 299 * MS)).isFalse();
    assertThat(debounce.settled(later)).isTrue();
  }
}

package io.mesh4j.samples.controlplane;

/**
 * When a burst of changes is over: a change is reported once the changes have stopped for the debounce period.
 * Times are {@link System#nanoTime()} readings given by the caller, so a test can drive it without waiting.
 */
final class ChangeDebounce {
  private final long debounceNanos;
  private boolean pending;
  private long lastChange;

  ChangeDebounce(long debounceNanos) {
    this.debounceNanos = debounceNanos;
  }

  /** Something changed at {@code now}: the quiet period starts again. */
  void changed(long now) {
    pending = true;
    lastChange = now;
  }

  /** Whether a burst ended by {@code now}; true once per burst, so the caller reports it then. */
  boolean settled(long now) {
    if (pending && now - lastChange >= debounceNanos) {
      pending = false;
      return true;
    }
    return false;
  }

  /** The time to wake at: {@code otherwise}, or the end of the quiet period if that comes first. */
  long wakeAt(long otherwise) {
    if (!pending) {
      return otherwise;
    }
    long settles = lastChange + debounceNanos;
    return settles - otherwise < 0 ? settles : otherwise;
  }
}

package io.mesh4j.runtime.xds;

/** How long to wait before the next reconnection attempt. One instance per run of failures; a new one resets. */
public interface BackoffPolicy {
  /** The delay before the next attempt, in nanoseconds. */
  long nextBackoffNanos();
}

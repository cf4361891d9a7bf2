package io.mesh4j.runtime.filter.fault;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The faults chosen for one request: a delay (applied first), then maybe an abort. While it is unreleased it counts
 * as one active fault against {@code max_active_faults}; the transport {@link #release() releases} it when the
 * exchange ends (for an abort, at once).
 */
public final class InjectedFault {
  private final long delayNanos;
  private final AbortStatus abort;
  private final AtomicLong activeFaults;
  private final AtomicBoolean released = new AtomicBoolean();

  InjectedFault(long delayNanos, AbortStatus abort, AtomicLong activeFaults) {
    this.delayNanos = delayNanos;
    this.abort = abort;
    this.activeFaults = activeFaults;
  }

  /** The delay before the request goes on (or is aborted), 0 for none. */
  public long delayNanos() {
    return delayNanos;
  }

  /** The abort to answer with after the delay, or null to forward the request. */
  public AbortStatus abort() {
    return abort;
  }

  /** Ends this fault's count as active; later calls do nothing. */
  public void release() {
    if (released.compareAndSet(false, true)) {
      activeFaults.decrementAndGet();
    }
  }
}

package io.mesh4j.runtime.cluster;

/** Runs a connectivity probe after a delay. A functional interface so tests can run probes by hand. */
@FunctionalInterface
public interface ProbeScheduler {

  /** Runs {@code probe} once after {@code delayNanos}; does nothing when the scheduler has shut down. */
  void schedule(Runnable probe, long delayNanos);
}

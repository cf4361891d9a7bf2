package io.mesh4j.runtime.policy;

/** Runs a task once after a delay; injected so that tests drive time by hand. */
@FunctionalInterface
public interface Scheduler {
  /** @return cancels the task if it has not run yet */
  Cancellable schedule(Runnable task, long delayNanos);

  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }
}

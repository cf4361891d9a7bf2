package io.mesh4j.runtime.policy;

import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Time, randomness and timers for the resilience policies, injected so that tests replace all of them.
 *
 * @param nanoClock monotonic nanoseconds ({@link System#nanoTime()})
 * @param random uniformly distributed non-negative longs
 * @param scheduler for outlier detection sweeps and the deadline watchdog
 * @param sleeper for retry back-off and injected fault delays
 */
public record PolicyEnvironment(LongSupplier nanoClock, LongSupplier random, Scheduler scheduler, Sleeper sleeper) {
  public PolicyEnvironment {
    Objects.requireNonNull(nanoClock, "nanoClock");
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(sleeper, "sleeper");
  }

  /** The real clock, random, thread sleeps and one shared daemon timer thread. */
  public static PolicyEnvironment system() {
    return SystemHolder.SYSTEM;
  }

  private static final class SystemHolder {
    private static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "mesh4j-policy-timer");
      thread.setDaemon(true);
      return thread;
    });

    static {
      // Most deadlines are disarmed long before they expire: drop them from the queue at once.
      TIMER.setRemoveOnCancelPolicy(true);
    }

    static final PolicyEnvironment SYSTEM = new PolicyEnvironment(
        System::nanoTime,
        () -> ThreadLocalRandom.current().nextLong() >>> 1,
        (task, delayNanos) -> {
          ScheduledFuture<?> future = TIMER.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
          return () -> future.cancel(false);
        },
        Sleeper.THREAD);
  }
}

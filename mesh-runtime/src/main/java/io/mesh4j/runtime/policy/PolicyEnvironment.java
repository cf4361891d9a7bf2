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
 * @param scheduler for per-request timers: call deadlines, per-try timeouts, the deadline watchdog, back-off
 * @param sleeper for retry back-off and injected fault delays
 * @param sweepScheduler for outlier detection sweeps, which replan a cluster's load and so must not hold up the
 *     request timers
 */
public record PolicyEnvironment(
    LongSupplier nanoClock, LongSupplier random, Scheduler scheduler, Sleeper sleeper, Scheduler sweepScheduler) {
  public PolicyEnvironment {
    Objects.requireNonNull(nanoClock, "nanoClock");
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(sleeper, "sleeper");
    Objects.requireNonNull(sweepScheduler, "sweepScheduler");
  }

  /** One scheduler for request timers and sweeps alike, as a test's fake clock drives them. */
  public PolicyEnvironment(LongSupplier nanoClock, LongSupplier random, Scheduler scheduler, Sleeper sleeper) {
    this(nanoClock, random, scheduler, sleeper, scheduler);
  }

  /**
   * The real clock, random and thread sleeps; request timers on one shared timer thread that callers hand them to
   * without a lock, outlier sweeps on a daemon thread of their own.
   */
  public static PolicyEnvironment system() {
    return SystemHolder.SYSTEM;
  }

  private static final class SystemHolder {
    private static final ScheduledThreadPoolExecutor SWEEPS = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "mesh4j-outlier-sweep");
      thread.setDaemon(true);
      return thread;
    });

    static final PolicyEnvironment SYSTEM = new PolicyEnvironment(
        System::nanoTime,
        () -> ThreadLocalRandom.current().nextLong() >>> 1,
        new TimerThread("mesh4j-request-timer"),
        Sleeper.THREAD,
        (task, delayNanos) -> {
          ScheduledFuture<?> future = SWEEPS.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
          return () -> future.cancel(false);
        });
  }
}

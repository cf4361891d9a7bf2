package io.mesh4j.runtime.policy;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Request timers (call deadlines, per-try timeouts, retry back-off) on a hashed timer wheel: scheduling and
 * cancelling are lock-free queue offers that the wheel's one thread drains each tick, so callers on many threads do
 * not contend as they did on a {@code ScheduledThreadPoolExecutor}'s queue lock. A task runs on the wheel's thread,
 * at most about one tick late and never early; it must be short (hand real work to an executor).
 */
final class WheelScheduler implements Scheduler {
  /** Fine enough for retry back-off (25 ms base by default); the idle wheel costs one wake-up per tick. */
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** Slots per turn: timers up to about a second away fall in their slot on the first turn. */
  private static final int TICKS_PER_WHEEL = 1024;

  private final HashedWheelTimer wheel;

  WheelScheduler(String threadName) {
    ThreadFactory threads = runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    };
    this.wheel = new HashedWheelTimer(threads, TICK_NANOS, TimeUnit.NANOSECONDS, TICKS_PER_WHEEL);
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    Timeout timeout = wheel.newTimeout(ignored -> task.run(), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return timeout::cancel;
  }
}

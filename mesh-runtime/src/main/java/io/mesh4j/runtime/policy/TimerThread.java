package io.mesh4j.runtime.policy;

import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request timers (call deadlines, per-try timeouts, retry back-off) owned by one thread. Callers never take a lock:
 * scheduling is an offer to a lock-free queue, cancelling sets a flag; only the timer thread touches the timers'
 * ordering (a heap), so the many request threads do not contend as they did on a {@code ScheduledThreadPoolExecutor}'s
 * queue lock. The thread sleeps until the earliest timer is due, exactly, and while it has no timer at all it parks
 * without ticking, so an idle process pays nothing. A task runs on the timer thread and must be short (hand real work
 * to an executor).
 *
 * <p>Hand-off: the thread publishes when it will next wake ({@link #wakeAt}, or {@link #idle}) and then looks at the
 * queue once more before parking; a caller offers its timer and then reads that publication, and wakes the thread
 * when its timer is due earlier. One of the two always sees the other, so no timer waits for a later one.
 */
final class TimerThread implements Scheduler {
  private static final Logger log = LoggerFactory.getLogger(TimerThread.class);
  /** While timers are pending, the thread takes in new ones and drops cancelled ones at least this often. */
  static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** About 146 years: keeps {@code now + delay} from overflowing. */
  private static final long MAX_DELAY_NANOS = Long.MAX_VALUE >> 6;

  /**
   * Timers offered and not yet taken in, newest first, linked through {@link Timer#nextIncoming}: a push is one
   * compare-and-set and no queue node (two timers a call add up), and the thread takes the whole list at once.
   */
  private final AtomicReference<Timer> incoming = new AtomicReference<>();
  /** Owned by the timer thread. */
  private final PriorityQueue<Timer> pending = new PriorityQueue<>();
  private final LongAdder cancels = new LongAdder();
  private final Thread thread;
  private volatile boolean idle;
  private volatile long wakeAt;
  /** Timers taken in and not yet run or dropped, as of the thread's last pass; for tests. */
  private volatile int pendingCount;
  private long cancelsAtLastPurge;

  TimerThread(String name) {
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  private static final class Timer implements Comparable<Timer>, Cancellable {
    final Runnable task;
    final long deadline;
    final TimerThread owner;
    volatile boolean cancelled;
    /** The timer offered before this one, while both wait in {@link #incoming}. */
    Timer nextIncoming;

    Timer(Runnable task, long deadline, TimerThread owner) {
      this.task = task;
      this.deadline = deadline;
      this.owner = owner;
    }

    @Override
    public void cancel() {
      if (!cancelled) {
        cancelled = true;
        owner.cancels.increment();
      }
    }

    @Override
    public int compareTo(Timer other) {
      return Long.compare(deadline - other.deadline, 0);
    }
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    long deadline = System.nanoTime() + Math.min(Math.max(0, delayNanos), MAX_DELAY_NANOS);
    Timer timer = new Timer(task, deadline, this);
    Timer head;
    do {
      head = incoming.get();
      timer.nextIncoming = head;
    } while (!incoming.compareAndSet(head, timer));
    if (idle || deadline - wakeAt < 0) {
      LockSupport.unpark(thread);
    }
    return timer;
  }

  int pendingCount() {
    return pendingCount;
  }

  private void run() {
    while (true) {
      takeIncoming();
      purgeIfMostlyCancelled();
      long now = System.nanoTime();
      runDue(now);
      pendingCount = pending.size();
      Timer next = pending.peek();
      if (next == null) {
        idle = true;
        if (incoming.get() == null) {
          LockSupport.park(this);
        }
        idle = false;
      } else {
        long wait = Math.min(next.deadline - now, MAX_PARK_NANOS);
        wakeAt = now + wait;
        if (incoming.get() == null) {
          LockSupport.parkNanos(this, wait);
        }
      }
    }
  }

  private void takeIncoming() {
    Timer timer = incoming.getAndSet(null);
    while (timer != null) {
      Timer next = timer.nextIncoming;
      timer.nextIncoming = null;
      if (!timer.cancelled) {
        pending.add(timer);
      }
      timer = next;
    }
  }

  /** Disarmed timers stay in the heap until due; when they are most of it, they go at once (O(n), amortised). */
  private void purgeIfMostlyCancelled() {
    long cancelled = cancels.sum();
    if (cancelled - cancelsAtLastPurge > Math.max(64, pending.size() / 2)) {
      cancelsAtLastPurge = cancelled;
      pending.removeIf(t -> t.cancelled);
    }
  }

  private void runDue(long now) {
    Timer timer;
    while ((timer = pending.peek()) != null && timer.deadline - now <= 0) {
      pending.poll();
      if (!timer.cancelled) {
        try {
          timer.task.run();
        } catch (Throwable e) {
          log.warn("a request timer's task failed", e);
        }
      }
    }
  }
}

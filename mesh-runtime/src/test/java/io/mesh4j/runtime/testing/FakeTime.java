package io.mesh4j.runtime.testing;

import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.policy.Scheduler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * A hand-driven clock, timer and sleeper: {@link #advance} moves time and runs every task that falls due, in order;
 * a "sleep" just advances the clock and is recorded. Randomness is whatever the test supplies.
 */
public final class FakeTime {
  private long now = 1_000_000_000L;
  private long sequence;
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(Comparator.comparingLong((Task t) -> t.due).thenComparingLong(t -> t.order));
  private final List<Long> sleeps = new ArrayList<>();

  private static final class Task {
    final long due;
    final long order;
    final Runnable runnable;
    boolean cancelled;

    Task(long due, long order, Runnable runnable) {
      this.due = due;
      this.order = order;
      this.runnable = runnable;
    }
  }

  public synchronized long nanos() {
    return now;
  }

  public Scheduler scheduler() {
    return (runnable, delayNanos) -> {
      Task task;
      synchronized (this) {
        task = new Task(now + delayNanos, sequence++, runnable);
        tasks.add(task);
      }
      return () -> task.cancelled = true;
    };
  }

  /** Moves the clock forward, running due tasks at their own times. */
  public void advance(long nanos) {
    long target;
    synchronized (this) {
      target = now + nanos;
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.due > target) {
          now = target;
          return;
        }
        tasks.poll();
        now = next.due;
      }
      if (!next.cancelled) {
        next.runnable.run();
      }
    }
  }

  /** Pending (not cancelled) tasks. */
  public synchronized long pendingTasks() {
    return tasks.stream().filter(t -> !t.cancelled).count();
  }

  /** Every wait slept (retry back-offs, fault delays), in order. */
  public synchronized List<Long> sleeps() {
    return List.copyOf(sleeps);
  }

  public PolicyEnvironment environment(LongSupplier random) {
    return new PolicyEnvironment(this::nanos, random, scheduler(), nanos -> {
      synchronized (this) {
        sleeps.add(nanos);
      }
      advance(nanos);
    });
  }
}

package io.mesh4j.runtime.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Calls at a steady rate in the background until closed: {@code perSecond} calls a second spread over a few threads
 * (blocking calls), each call's answer counted (with when it was first seen) and each failure kept. A thread that
 * falls behind (a busy machine, a slow call) catches up by at most a second's worth of calls, then resets its pace.
 */
public final class PacedLoad implements AutoCloseable {
  /** Calls a second one thread is asked for: several threads keep the rate when single calls are slow. */
  private static final int PER_THREAD = 10;

  private final String name;
  private final Callable<String> call;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
  private final Map<String, Long> firstSeenNanos = new ConcurrentHashMap<>();
  private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private final AtomicLong calls = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private volatile long stopNanos;

  private PacedLoad(String name, int perSecond, Callable<String> call) {
    this.name = name;
    this.call = call;
    int count = Math.max(1, (perSecond + PER_THREAD - 1) / PER_THREAD);
    long periodNanos = TimeUnit.SECONDS.toNanos(1) * count / perSecond;
    for (int t = 0; t < count; t++) {
      long offset = periodNanos * t / count;
      Thread thread = new Thread(() -> loop(periodNanos, offset), name + "-load-" + t);
      thread.setDaemon(true);
      threads.add(thread);
    }
    threads.forEach(Thread::start);
  }

  /** Starts calling {@code call} {@code perSecond} times a second; it returns the answer (e.g. the server's name). */
  public static PacedLoad start(String name, int perSecond, Callable<String> call) {
    if (perSecond <= 0) {
      throw new IllegalArgumentException("perSecond must be positive: " + perSecond);
    }
    return new PacedLoad(name, perSecond, call);
  }

  private void loop(long periodNanos, long offsetNanos) {
    long next = System.nanoTime() + offsetNanos;
    while (running.get()) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
        continue;
      }
      if (-wait > TimeUnit.SECONDS.toNanos(1)) {
        next = System.nanoTime(); // too far behind: no burst to make up for it
      }
      next += periodNanos;
      try {
        String answer = call.call();
        firstSeenNanos.putIfAbsent(answer, System.nanoTime());
        answers.computeIfAbsent(answer, k -> new AtomicLong()).incrementAndGet();
      } catch (Throwable e) {
        failures.add(e);
      }
      calls.incrementAndGet();
    }
  }

  /** Calls that returned {@code answer}. */
  public long count(String answer) {
    AtomicLong n = answers.get(answer);
    return n == null ? 0 : n.get();
  }

  /** When {@code answer} was first returned ({@link System#nanoTime()}), or null. */
  public Long firstSeenNanos(String answer) {
    return firstSeenNanos.get(answer);
  }

  /** Calls made, answered or failed. */
  public long calls() {
    return calls.get();
  }

  /** What the calls threw, in order. */
  public List<Throwable> failures() {
    return List.copyOf(failures);
  }

  /** Calls made per second since the start (until closed, once closed). */
  public double achievedPerSecond() {
    long end = stopNanos != 0 ? stopNanos : System.nanoTime();
    return calls.get() * 1e9 / Math.max(1, end - startNanos);
  }

  /** Stops calling and waits for the calls under way. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(60));
      if (thread.isAlive()) {
        throw new IllegalStateException(thread.getName() + " still calling 60 s after " + name + " was closed");
      }
    }
    if (stopNanos == 0) {
      stopNanos = System.nanoTime();
    }
  }
}

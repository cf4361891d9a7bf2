package io.mesh4j.runtime.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * Calls made by several callers at once, each call's outcome (what {@code call} returned: a status, an exception's
 * name) counted and its latency recorded.
 */
public final class RecordedCalls {
  private final Map<String, Integer> outcomes;
  private final long[] sortedLatencyNanos;

  private RecordedCalls(Map<String, Integer> outcomes, long[] latencyNanos) {
    this.outcomes = new TreeMap<>(outcomes);
    this.sortedLatencyNanos = latencyNanos.clone();
    Arrays.sort(sortedLatencyNanos);
  }

  /** {@code requests} calls of {@code call}, shared among {@code callers} threads; returns when all are done. */
  public static RecordedCalls run(int callers, int requests, Supplier<String> call) throws Exception {
    Map<String, Integer> outcomes = new ConcurrentHashMap<>();
    AtomicLongArray latencies = new AtomicLongArray(requests);
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        done.add(pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
            long start = System.nanoTime();
            String outcome = call.get();
            latencies.set(i, System.nanoTime() - start);
            outcomes.merge(outcome, 1, Integer::sum);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    long[] copy = new long[requests];
    for (int i = 0; i < requests; i++) {
      copy[i] = latencies.get(i);
    }
    return new RecordedCalls(outcomes, copy);
  }

  /** Calls per outcome, by outcome. */
  public Map<String, Integer> outcomes() {
    return outcomes;
  }

  public int total() {
    return outcomes.values().stream().mapToInt(Integer::intValue).sum();
  }

  public int count(String outcome) {
    return outcomes.getOrDefault(outcome, 0);
  }

  /** The latency that a fraction {@code q} of the calls did not exceed (nearest rank). */
  public Duration percentile(double q) {
    if (sortedLatencyNanos.length == 0) {
      return Duration.ZERO;
    }
    int rank = (int) Math.ceil(q * sortedLatencyNanos.length);
    return Duration.ofNanos(sortedLatencyNanos[Math.max(0, rank - 1)]);
  }
}

package io.mesh4j.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One measured phase of closed-loop load: each of {@code threads} callers makes one call, waits for its whole answer,
 * and makes the next, until the phase ends; every latency is kept, and the process's CPU time over the phase. A call
 * that fails fails the phase (for HTTP, a status other than 200), so a misrouted benchmark cannot pass for a fast one.
 */
final class ClosedLoopLoad {
  private ClosedLoopLoad() {}

  /** One call, made and checked by the caller's thread. */
  @FunctionalInterface
  interface Call {
    void call() throws Exception;
  }

  static PhaseResult run(OkHttpClient client, Request request, int threads, Duration duration) throws Exception {
    return run(() -> {
      try (Response response = client.newCall(request).execute()) {
        response.body().bytes();
        if (response.code() != 200) {
          throw new IOException("unexpected status " + response.code());
        }
      }
    }, threads, duration);
  }

  static PhaseResult run(Call call, int threads, Duration duration) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long cpuBefore = processCpuNanos();
      long deadline = System.nanoTime() + duration.toNanos();
      List<Future<Caller>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> callUntil(call, deadline)));
      }
      List<long[]> latencies = new ArrayList<>();
      long allocated = 0;
      for (Future<Caller> f : futures) {
        Caller caller = f.get();
        latencies.add(caller.latencies());
        allocated = allocated < 0 || caller.allocatedBytes() < 0 ? -1 : allocated + caller.allocatedBytes();
      }
      long cpuAfter = processCpuNanos();
      return PhaseResult.of(latencies, duration, cpuBefore < 0 || cpuAfter < 0 ? -1 : cpuAfter - cpuBefore,
          allocated);
    } finally {
      pool.shutdownNow();
    }
  }

  /** CPU time of every thread of this JVM so far, or -1 where the JVM does not tell. */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** What one calling thread saw: its latencies, and the bytes it allocated meanwhile (-1 when unknown). */
  private record Caller(long[] latencies, long allocatedBytes) {}

  /**
   * Bytes the calling thread allocated so far, or -1 where the JVM does not tell. A caller's own allocation, unlike
   * the process's, is the same on a busy machine as on an idle one: it is the call's work on the caller (for a
   * blocking gRPC call, its callbacks too) plus the latency bookkeeping (at most 24 bytes a call), nothing else.
   */
  private static long threadAllocatedBytes() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
        && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
      return threads.getCurrentThreadAllocatedBytes();
    }
    return -1;
  }

  private static Caller callUntil(Call call, long deadline) throws Exception {
    long allocatedBefore = threadAllocatedBytes();
    long[] latencies = new long[1 << 14];
    int n = 0;
    while (System.nanoTime() < deadline) {
      long start = System.nanoTime();
      call.call();
      if (n == latencies.length) {
        latencies = Arrays.copyOf(latencies, n * 2);
      }
      latencies[n++] = System.nanoTime() - start;
    }
    long[] kept = Arrays.copyOf(latencies, n);
    long allocatedAfter = threadAllocatedBytes();
    return new Caller(kept, allocatedBefore < 0 || allocatedAfter < 0 ? -1 : allocatedAfter - allocatedBefore);
  }
}

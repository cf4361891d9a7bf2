package io.mesh4j.benchmarks;

import java.io.IOException;
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
 * One measured phase of closed-loop load: each of {@code threads} callers sends the request, reads the whole body,
 * and sends the next, until the phase ends; every latency is kept. A status other than 200 fails the phase, so a
 * misrouted benchmark cannot pass for a fast one.
 */
final class ClosedLoopLoad {
  private ClosedLoopLoad() {}

  static PhaseResult run(OkHttpClient client, Request request, int threads, Duration duration) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long deadline = System.nanoTime() + duration.toNanos();
      List<Future<long[]>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> callUntil(client, request, deadline)));
      }
      List<long[]> latencies = new ArrayList<>();
      for (Future<long[]> f : futures) {
        latencies.add(f.get());
      }
      return PhaseResult.of(latencies, duration);
    } finally {
      pool.shutdownNow();
    }
  }

  private static long[] callUntil(OkHttpClient client, Request request, long deadline) throws IOException {
    long[] latencies = new long[1 << 14];
    int n = 0;
    while (System.nanoTime() < deadline) {
      long start = System.nanoTime();
      try (Response response = client.newCall(request).execute()) {
        response.body().bytes();
        if (response.code() != 200) {
          throw new IOException("unexpected status " + response.code());
        }
      }
      if (n == latencies.length) {
        latencies = Arrays.copyOf(latencies, n * 2);
      }
      latencies[n++] = System.nanoTime() - start;
    }
    return Arrays.copyOf(latencies, n);
  }
}

package io.mesh4j.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Latencies of one or more measured phases, and the time they took. */
record PhaseResult(long[] sortedLatencies, double seconds) {
  static final PhaseResult EMPTY = new PhaseResult(new long[0], 0);

  static PhaseResult of(List<long[]> perThread, Duration duration) {
    int total = 0;
    for (long[] l : perThread) {
      total += l.length;
    }
    long[] all = new long[total];
    int at = 0;
    for (long[] l : perThread) {
      System.arraycopy(l, 0, all, at, l.length);
      at += l.length;
    }
    Arrays.sort(all);
    return new PhaseResult(all, duration.toNanos() / 1e9);
  }

  PhaseResult plus(PhaseResult other) {
    long[] all = Arrays.copyOf(sortedLatencies, sortedLatencies.length + other.sortedLatencies.length);
    System.arraycopy(other.sortedLatencies, 0, all, sortedLatencies.length, other.sortedLatencies.length);
    Arrays.sort(all);
    return new PhaseResult(all, seconds + other.seconds);
  }

  double throughput() {
    return sortedLatencies.length / seconds;
  }

  /** The latency in microseconds below which {@code p} percent of requests completed (nearest rank). */
  double percentile(double p) {
    int rank = (int) Math.ceil(p / 100.0 * sortedLatencies.length);
    return sortedLatencies[Math.max(0, rank - 1)] / 1000.0;
  }

  String row(String name) {
    return String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.1f |%n",
        name, sortedLatencies.length, throughput(), percentile(50), percentile(99));
  }
}

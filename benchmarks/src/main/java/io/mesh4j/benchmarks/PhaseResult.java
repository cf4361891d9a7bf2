package io.mesh4j.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Latencies of one or more measured phases, the time they took and the CPU time the whole process spent meanwhile
 * (negative when unknown), and the bytes the calling threads allocated meanwhile (negative when unknown).
 */
record PhaseResult(long[] sortedLatencies, double seconds, long cpuNanos, long allocatedBytes) {
  static final PhaseResult EMPTY = new PhaseResult(new long[0], 0, 0, 0);

  static PhaseResult of(List<long[]> perThread, Duration duration, long cpuNanos, long allocatedBytes) {
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
    return new PhaseResult(all, duration.toNanos() / 1e9, cpuNanos, allocatedBytes);
  }

  PhaseResult plus(PhaseResult other) {
    long[] all = Arrays.copyOf(sortedLatencies, sortedLatencies.length + other.sortedLatencies.length);
    System.arraycopy(other.sortedLatencies, 0, all, sortedLatencies.length, other.sortedLatencies.length);
    Arrays.sort(all);
    long cpu = cpuNanos < 0 || other.cpuNanos < 0 ? -1 : cpuNanos + other.cpuNanos;
    long allocated = allocatedBytes < 0 || other.allocatedBytes < 0 ? -1 : allocatedBytes + other.allocatedBytes;
    return new PhaseResult(all, seconds + other.seconds, cpu, allocated);
  }

  double throughput() {
    return sortedLatencies.length / seconds;
  }

  /** The latency in microseconds below which {@code p} percent of requests completed (nearest rank). */
  double percentile(double p) {
    int rank = (int) Math.ceil(p / 100.0 * sortedLatencies.length);
    return sortedLatencies[Math.max(0, rank - 1)] / 1000.0;
  }

  /** The process's CPU time per completed call, in microseconds (NaN when unknown). */
  double cpuMicrosPerCall() {
    return cpuNanos < 0 || sortedLatencies.length == 0 ? Double.NaN : cpuNanos / 1000.0 / sortedLatencies.length;
  }

  /** Bytes the calling threads allocated per completed call (NaN when unknown). */
  double bytesPerCall() {
    return allocatedBytes < 0 || sortedLatencies.length == 0 ? Double.NaN : (double) allocatedBytes / sortedLatencies.length;
  }

  String row(String name) {
    return String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.1f |%n",
        name, sortedLatencies.length, throughput(), percentile(50), percentile(99));
  }
}

package io.mesh4j.runtime.metrics;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The request series ({@link RequestMetrics.Series}) of one cluster's calls, one per outcome label set (source and
 * destination workload, protocol, response code, gRPC status, flags), each resolved from the sink once: a finished
 * request then finds its series with a few comparisons and allocates no key. Lock-free (copy on write); bounded, a
 * label set past the bound is recorded through the sink's own lookup.
 */
final class ClusterSeries {
  static final int LIMIT = 64;
  private static final Entry[] NONE = new Entry[0];

  private final ServiceLabels service;
  private final AtomicReference<Entry[]> entries = new AtomicReference<>(NONE);

  ClusterSeries(ServiceLabels service) {
    this.service = service;
  }

  ServiceLabels service() {
    return service;
  }

  /** The series of these labels, resolving it from {@code sink} the first time. */
  RequestMetrics.Series series(RequestMetrics sink, WorkloadLabels source, WorkloadLabels destination,
      String protocol, int responseCode, String grpcStatus, String responseFlags) {
    Entry[] current = entries.get();
    for (Entry e : current) {
      if (e.matches(source, destination, protocol, responseCode, grpcStatus, responseFlags)) {
        return e.series;
      }
    }
    RequestMetrics.Series series = sink.series(new RequestLabels(RequestLabels.SOURCE, source, destination, service,
        protocol, responseCode, grpcStatus, responseFlags, WorkloadLabels.UNKNOWN));
    Entry added = new Entry(source, destination, protocol, responseCode, grpcStatus, responseFlags, series);
    while (current.length < LIMIT) {
      Entry[] next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = added;
      if (entries.compareAndSet(current, next)) {
        break;
      }
      current = entries.get();
    }
    return series;
  }

  private record Entry(WorkloadLabels source, WorkloadLabels destination, String protocol, int responseCode,
      String grpcStatus, String responseFlags, RequestMetrics.Series series) {
    boolean matches(WorkloadLabels source, WorkloadLabels destination, String protocol, int responseCode,
        String grpcStatus, String responseFlags) {
      // The labels are mostly the same cached instances (flags and codes are constants): identity first.
      return this.responseCode == responseCode
          && same(this.responseFlags, responseFlags)
          && same(this.grpcStatus, grpcStatus)
          && same(this.protocol, protocol)
          && same(this.destination, destination)
          && same(this.source, source);
    }

    private static boolean same(Object a, Object b) {
      return a == b || a.equals(b);
    }
  }
}

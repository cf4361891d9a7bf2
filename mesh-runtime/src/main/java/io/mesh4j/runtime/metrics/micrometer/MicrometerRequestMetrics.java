package io.mesh4j.runtime.metrics.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mesh4j.runtime.metrics.RequestLabels;
import io.mesh4j.runtime.metrics.RequestMetrics;
import io.mesh4j.runtime.metrics.ResponseFlags;
import io.mesh4j.runtime.metrics.ServiceLabels;
import io.mesh4j.runtime.metrics.WorkloadLabels;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Istio's standard request metrics and Envoy's router counters over a Micrometer registry. Meters are built once per
 * label tuple and cached by it, so a request does one map lookup, never a builder. The tuples are bounded by the
 * config (peers, services) and small sets (codes, flags); past {@link #LIMIT} of them new tuples are dropped and
 * counted in {@code mesh4j_metrics_dropped}, so a misbehaving input cannot grow the registry without end.
 */
public final class MicrometerRequestMetrics implements RequestMetrics {
  /** Istio's bounds for {@code istio_request_duration_milliseconds}. */
  static final double[] DURATION_BUCKETS_MS = {
      0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000};
  /** Istio's bounds for the size histograms: 1 byte to 10 MB by powers of ten. */
  static final double[] BYTE_BUCKETS = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};
  static final int LIMIT = 10_000;

  private static final int LOCAL_REPLY_FLAGS = ResponseFlags.UH | ResponseFlags.UT | ResponseFlags.UF
      | ResponseFlags.UC | ResponseFlags.UO | ResponseFlags.NR | ResponseFlags.FI | ResponseFlags.NC;

  private final MeterRegistry registry;
  private final ConcurrentHashMap<RequestLabels, RequestMeters> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ClusterMeters> clusters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, Counter> localReplies = new ConcurrentHashMap<>();
  private final Counter faultAborts;
  private final Counter faultDelays;
  private final Counter dropped;
  /** The series of a label set past the limit: counts the drop. */
  private final Series dropping;

  public MicrometerRequestMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.faultAborts = Counter.builder("mesh4j_fault_aborts_injected")
        .description("Requests the fault filter aborted (Envoy: fault.aborts_injected)").register(registry);
    this.faultDelays = Counter.builder("mesh4j_fault_delays_injected")
        .description("Requests the fault filter delayed (Envoy: fault.delays_injected)").register(registry);
    this.dropped = Counter.builder("mesh4j_metrics_dropped")
        .description("Requests not recorded because too many distinct label sets were seen").register(registry);
    this.dropping = (durationNanos, requestBytes, responseBytes) -> dropped.increment();
  }

  @Override
  public void record(RequestLabels labels, long durationNanos, long requestBytes, long responseBytes) {
    RequestMeters meters = requests.get(labels);
    if (meters == null) {
      if (requests.size() >= LIMIT) {
        dropped.increment();
        return;
      }
      meters = requests.computeIfAbsent(labels, this::requestMeters);
    }
    meters.record(durationNanos, requestBytes, responseBytes);
  }

  @Override
  public Series series(RequestLabels labels) {
    RequestMeters meters = requests.get(labels);
    if (meters == null) {
      if (requests.size() >= LIMIT) {
        return dropping;
      }
      meters = requests.computeIfAbsent(labels, this::requestMeters);
    }
    return meters;
  }

  @Override
  public void upstream(String cluster, int retries, boolean retrySucceeded, boolean retryOverflow, int flags) {
    if (cluster != null) {
      ClusterMeters meters = clusters.get(cluster);
      if (meters == null) {
        meters = clusters.computeIfAbsent(cluster, this::clusterMeters);
      }
      if (retries > 0) {
        meters.retries.increment(retries);
        if (retrySucceeded) {
          meters.retrySuccesses.increment();
        }
      }
      if (retryOverflow) {
        meters.retryOverflows.increment();
      }
      if ((flags & ResponseFlags.UO) != 0) {
        meters.pendingOverflows.increment();
      }
    }
    if ((flags & ResponseFlags.FI) != 0) {
      faultAborts.increment();
    }
    if ((flags & ResponseFlags.DI) != 0) {
      faultDelays.increment();
    }
    int local = flags & LOCAL_REPLY_FLAGS;
    if (local != 0) {
      Counter counter = localReplies.get(local);
      if (counter == null) {
        counter = localReplies.computeIfAbsent(local, bits -> Counter.builder("mesh4j_local_replies")
            .description("Answers the mesh gave itself, by Envoy response flag")
            .tag("reason", ResponseFlags.format(bits)).register(registry));
      }
      counter.increment();
    }
  }

  private RequestMeters requestMeters(RequestLabels labels) {
    Tags tags = tags(labels);
    return new RequestMeters(
        Counter.builder("istio_requests").description("Requests, as Istio's istio_requests_total").tags(tags)
            .register(registry),
        DistributionSummary.builder("istio_request_duration_milliseconds")
            .description("Request duration in milliseconds, with Istio's buckets").tags(tags)
            .serviceLevelObjectives(DURATION_BUCKETS_MS).register(registry),
        DistributionSummary.builder("istio_request_bytes").description("Request body sizes").tags(tags)
            .serviceLevelObjectives(BYTE_BUCKETS).register(registry),
        DistributionSummary.builder("istio_response_bytes").description("Response body sizes").tags(tags)
            .serviceLevelObjectives(BYTE_BUCKETS).register(registry));
  }

  private ClusterMeters clusterMeters(String cluster) {
    Tags tags = Tags.of("cluster_name", cluster);
    return new ClusterMeters(
        Counter.builder("envoy_cluster_upstream_rq_retry").description("Retries").tags(tags).register(registry),
        Counter.builder("envoy_cluster_upstream_rq_retry_success").description("Retries that succeeded").tags(tags)
            .register(registry),
        Counter.builder("envoy_cluster_upstream_rq_retry_overflow")
            .description("Retries refused by the max_retries circuit breaker").tags(tags).register(registry),
        Counter.builder("envoy_cluster_upstream_rq_pending_overflow")
            .description("Requests refused by a circuit breaker (503 UO)").tags(tags).register(registry));
  }

  static Tags tags(RequestLabels l) {
    WorkloadLabels s = l.source();
    WorkloadLabels d = l.destination();
    ServiceLabels service = l.service();
    return Tags.of(
        "reporter", l.reporter(),
        "source_workload", s.workload(),
        "source_workload_namespace", s.namespace(),
        "source_principal", s.principal(),
        "source_app", s.app(),
        "source_version", s.version(),
        "source_cluster", s.cluster(),
        "destination_workload", d.workload(),
        "destination_workload_namespace", d.namespace(),
        "destination_principal", d.principal(),
        "destination_app", d.app(),
        "destination_version", d.version(),
        "destination_service", service.service(),
        "destination_service_name", service.name(),
        "destination_service_namespace", service.namespace(),
        "destination_cluster", d.cluster(),
        "request_protocol", l.protocol(),
        "response_code", Integer.toString(l.responseCode()),
        "grpc_response_status", l.grpcStatus(),
        "response_flags", l.responseFlags(),
        "connection_security_policy", l.connectionSecurityPolicy());
  }

  private record RequestMeters(Counter requests, DistributionSummary duration, DistributionSummary requestBytes,
      DistributionSummary responseBytes) implements Series {
    @Override
    public void record(long durationNanos, long requestBytes, long responseBytes) {
      this.requests.increment();
      duration.record(durationNanos / 1e6);
      this.requestBytes.record(requestBytes);
      this.responseBytes.record(responseBytes);
    }
  }

  private record ClusterMeters(Counter retries, Counter retrySuccesses, Counter retryOverflows,
      Counter pendingOverflows) {}
}

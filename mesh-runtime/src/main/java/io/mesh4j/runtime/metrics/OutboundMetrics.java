package io.mesh4j.runtime.metrics;

import io.mesh4j.runtime.view.RequestView;
import java.security.cert.Certificate;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The client side's observability: starts an {@link OutboundCall} per request and, when it ends, records it as
 * Istio's metrics (reporter {@code source}), ends its trace span and writes its access log line, whichever of the
 * three are on. The labels that are the same for many requests (this workload, a cluster's service, an endpoint's
 * workload, a certificate's identity) are worked out once and cached, so a finished request costs a few map lookups
 * and one key. The engine holds one only when the application asked for one of them.
 */
public final class OutboundMetrics {
  /** Caches hold config-derived keys; this bound only guards against a control plane that churns names. */
  private static final int CACHE_LIMIT = 4096;

  private final RequestMetrics sink;
  private final RequestTracer tracer;
  private final AccessLog accessLog;
  private final WorkloadLabels self;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, ClusterSeries> clusters = new ConcurrentHashMap<>();
  /** The series of calls that reached no cluster (refused before one was chosen). */
  private final ClusterSeries noCluster = new ClusterSeries(ServiceLabels.UNKNOWN);
  private final ConcurrentHashMap<String, WorkloadLabels> peers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Certificate, String> principals = new ConcurrentHashMap<>();

  /**
   * @param self this workload (from the bootstrap's node metadata), its principal unknown: that one is read from the
   *     certificate each TLS connection presented
   */
  public OutboundMetrics(RequestMetrics sink, WorkloadLabels self, LongSupplier nanoClock) {
    this(sink, null, null, self, nanoClock);
  }

  /**
   * @param sink where requests are counted, or null for no metrics
   * @param tracer traces requests and their attempts, or null
   * @param accessLog writes a line per request, or null
   */
  public OutboundMetrics(RequestMetrics sink, RequestTracer tracer, AccessLog accessLog, WorkloadLabels self,
      LongSupplier nanoClock) {
    this.sink = sink;
    this.tracer = tracer;
    this.accessLog = accessLog;
    this.self = Objects.requireNonNull(self, "self");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /** A request starts now. */
  public OutboundCall start(String protocol, RequestView request) {
    RequestTracer.RequestSpan span = tracer == null ? null : tracer.start(protocol, request);
    return new OutboundCall(this, protocol, request, span, nanoClock.getAsLong());
  }

  AccessLog accessLog() {
    return accessLog;
  }

  public RequestMetrics sink() {
    return sink;
  }

  public WorkloadLabels self() {
    return self;
  }

  long now() {
    return nanoClock.getAsLong();
  }

  /** The service and request series of {@code cluster} (null: none was chosen). */
  ClusterSeries cluster(String cluster) {
    return cluster == null ? noCluster
        : cached(clusters, cluster, name -> new ClusterSeries(ServiceLabels.fromClusterName(name)));
  }

  WorkloadLabels peer(String endpointWorkload) {
    return endpointWorkload == null ? WorkloadLabels.ALL_UNKNOWN
        : cached(peers, endpointWorkload, WorkloadLabels::fromEndpointWorkload);
  }

  String principal(Certificate certificate) {
    return certificate == null ? null : cached(principals, certificate, SpiffeIds::of);
  }

  private static <K, V> V cached(ConcurrentHashMap<K, V> cache, K key, Function<K, V> compute) {
    V value = cache.get(key);
    if (value == null) {
      if (cache.size() >= CACHE_LIMIT) {
        cache.clear();
      }
      value = cache.computeIfAbsent(key, compute);
    }
    return value;
  }
}

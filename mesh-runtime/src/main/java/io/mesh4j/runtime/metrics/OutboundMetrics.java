package io.mesh4j.runtime.metrics;

import java.security.cert.Certificate;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The client side's metrics (reporter {@code source}): starts an {@link OutboundCall} per request and turns what the
 * transport noted into Istio's labels. The labels that are the same for many requests (this workload, a cluster's
 * service, an endpoint's workload, a certificate's identity) are worked out once and cached, so a finished request
 * costs a few map lookups and one key. The engine holds one only when the application gave a registry.
 */
public final class OutboundMetrics {
  /** Caches hold config-derived keys; this bound only guards against a control plane that churns names. */
  private static final int CACHE_LIMIT = 4096;

  private final RequestMetrics sink;
  private final WorkloadLabels self;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, ServiceLabels> services = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, WorkloadLabels> peers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Certificate, String> principals = new ConcurrentHashMap<>();

  /**
   * @param self this workload (from the bootstrap's node metadata), its principal unknown: that one is read from the
   *     certificate each TLS connection presented
   */
  public OutboundMetrics(RequestMetrics sink, WorkloadLabels self, LongSupplier nanoClock) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.self = Objects.requireNonNull(self, "self");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /** A request starts now. */
  public OutboundCall start(String protocol) {
    return new OutboundCall(this, protocol, nanoClock.getAsLong());
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

  ServiceLabels service(String cluster) {
    return cached(services, cluster, ServiceLabels::fromClusterName);
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

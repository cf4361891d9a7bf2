package io.mesh4j.runtime.metrics;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The server side's recorder (reporter {@code destination}), for the inbound adapters (gRPC server interceptor,
 * servlet filter, JDK HTTP server): the same meters as the client side's, seen from the destination. This workload is
 * the destination; the source is known by its certificate only (mesh4j exchanges no peer metadata), so its principal
 * is the SPIFFE ID and its namespace the one the ID names, the rest {@code unknown}.
 * {@code connection_security_policy} is {@code mutual_tls} when the client presented a certificate, else
 * {@code none}.
 */
public final class InboundMetrics {
  private static final int CACHE_LIMIT = 4096;

  private final RequestMetrics sink;
  private final WorkloadLabels self;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, WorkloadLabels> peers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ServiceLabels> services = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, WorkloadLabels> selves = new ConcurrentHashMap<>();

  public InboundMetrics(RequestMetrics sink, WorkloadLabels self, LongSupplier nanoClock) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.self = Objects.requireNonNull(self, "self");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /** The clock's reading when a request arrives, for {@link #record}'s duration. */
  public long now() {
    return nanoClock.getAsLong();
  }

  /**
   * One request this server answered.
   *
   * @param startNanos {@link #now()} when it arrived
   * @param service the inbound cluster name ({@code inbound|port||host}) or the host the request named
   * @param peerPrincipal the client certificate's SPIFFE ID ({@code spiffe://td/ns/x/sa/y}), or null without one
   * @param localPrincipal this server's certificate's SPIFFE ID, or null in plain text
   * @param protocol {@link RequestLabels#HTTP} or {@link RequestLabels#GRPC}
   * @param grpcStatus the gRPC status code, or -1 for plain HTTP
   * @param flags Envoy's response flags ({@link ResponseFlags}), e.g. none, or {@code DC} when the client went away
   */
  public void record(long startNanos, String service, String peerPrincipal, String localPrincipal, String protocol,
      int responseCode, int grpcStatus, int flags, long requestBytes, long responseBytes) {
    WorkloadLabels source = peerPrincipal == null ? WorkloadLabels.ALL_UNKNOWN
        : cached(peers, peerPrincipal, InboundMetrics::fromSpiffeId);
    WorkloadLabels destination = localPrincipal == null ? self
        : cached(selves, localPrincipal, p -> self.withPrincipal(stripScheme(p)));
    ServiceLabels labels = service == null ? ServiceLabels.UNKNOWN
        : cached(services, service, ServiceLabels::fromClusterName);
    sink.record(new RequestLabels(RequestLabels.DESTINATION, source, destination, labels, protocol, responseCode,
        grpcStatus < 0 ? "" : Integer.toString(grpcStatus), ResponseFlags.format(flags),
        peerPrincipal == null ? "none" : "mutual_tls"), nanoClock.getAsLong() - startNanos, requestBytes,
        responseBytes);
  }

  /**
   * The host of a request's authority ({@code catalog.shop.svc.cluster.local:8080} → without the port), the service
   * a server records when it has no inbound cluster name; null stays null.
   */
  public static String hostOf(String authority) {
    if (authority == null || authority.isEmpty()) {
      return null;
    }
    if (authority.startsWith("[")) {
      int end = authority.indexOf(']');
      return end < 0 ? authority : authority.substring(0, end + 1);
    }
    int colon = authority.lastIndexOf(':');
    return colon < 0 || authority.indexOf(':') != colon ? authority : authority.substring(0, colon);
  }

  /** {@code spiffe://td/ns/shop/sa/frontend}: principal {@code td/ns/shop/sa/frontend}, namespace {@code shop}. */
  static WorkloadLabels fromSpiffeId(String id) {
    String principal = stripScheme(id);
    String namespace = null;
    int ns = principal.indexOf("/ns/");
    if (ns >= 0) {
      int end = principal.indexOf('/', ns + 4);
      namespace = end < 0 ? principal.substring(ns + 4) : principal.substring(ns + 4, end);
    }
    return new WorkloadLabels(null, namespace, principal, null, null, null);
  }

  private static String stripScheme(String id) {
    return id.startsWith("spiffe://") ? id.substring("spiffe://".length()) : id;
  }

  private static <V> V cached(ConcurrentHashMap<String, V> cache, String key,
      java.util.function.Function<String, V> compute) {
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

package io.mesh4j.runtime.xds;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The xDS client's counters and gauges as gRFC A78 defines them, as plain numbers for a metrics binder to read:
 * {@code grpc.xds_client.connected}, {@code .server_failure}, {@code .resource_updates_valid},
 * {@code .resource_updates_invalid} (per server, and per resource type for the last two) and {@code .resources} (per
 * resource type and {@link CacheState}). Written on the client's context, read from any thread; counters only grow.
 */
public final class XdsClientStats {
  /** A78's {@code cache_state} label. */
  public enum CacheState {
    REQUESTED("requested"),
    DOES_NOT_EXIST("does_not_exist"),
    ACKED("acked"),
    NACKED("nacked"),
    NACKED_BUT_CACHED("nacked_but_cached");

    private final String label;

    CacheState(String label) {
      this.label = label;
    }

    /** The label value A78 uses. */
    public String label() {
      return label;
    }
  }

  private final List<String> servers;
  private final Map<String, ServerCounters> byServer = new ConcurrentHashMap<>();
  private volatile Map<String, Map<CacheState, Long>> resources = Map.of();

  XdsClientStats(List<String> servers) {
    this.servers = List.copyOf(servers);
    for (String server : this.servers) {
      byServer.putIfAbsent(server, new ServerCounters());
    }
  }

  /** The {@code server_uri} of every bootstrap {@code xds_servers} entry, in fallback order. */
  public List<String> servers() {
    return servers;
  }

  /**
   * A78's {@code connected}: whether the client has a working ADS stream to {@code server}: set when a stream gets
   * its first response, cleared when the channel fails or a stream ends without a response (a stream that ends
   * after responses is not a failure, gRFC A57).
   */
  public boolean connected(String server) {
    ServerCounters c = byServer.get(server);
    return c != null && c.connected;
  }

  /** A78's {@code server_failure}: how often {@code server} went from healthy to unhealthy. */
  public long serverFailures(String server) {
    ServerCounters c = byServer.get(server);
    return c == null ? 0 : c.failures.get();
  }

  /** A78's {@code resource_updates_valid}: resources of {@code typeUrl} received from {@code server} and accepted. */
  public long resourceUpdatesValid(String server, String typeUrl) {
    ServerCounters c = byServer.get(server);
    AtomicLong n = c == null ? null : c.valid.get(typeUrl);
    return n == null ? 0 : n.get();
  }

  /** A78's {@code resource_updates_invalid}: resources of {@code typeUrl} received from {@code server} and rejected. */
  public long resourceUpdatesInvalid(String server, String typeUrl) {
    ServerCounters c = byServer.get(server);
    AtomicLong n = c == null ? null : c.invalid.get(typeUrl);
    return n == null ? 0 : n.get();
  }

  /** A78's {@code resources}: how many subscribed resources of {@code typeUrl} are in {@code state} now. */
  public long resources(String typeUrl, CacheState state) {
    Map<CacheState, Long> of = resources.get(typeUrl);
    Long n = of == null ? null : of.get(state);
    return n == null ? 0 : n;
  }

  /** Every subscribed type URL with its resources counted by state, as last published. */
  public Map<String, Map<CacheState, Long>> resources() {
    return resources;
  }

  // ---- written on the client's context ----

  /** A stream to {@code server} got a response. */
  void serverHealthy(String server) {
    ServerCounters c = counters(server);
    c.connected = true;
    c.unhealthy = false;
  }

  /** The channel to {@code server} failed, or a stream ended without a response: one failure per healthy spell. */
  void serverUnhealthy(String server) {
    ServerCounters c = counters(server);
    c.connected = false;
    if (!c.unhealthy) {
      c.unhealthy = true;
      c.failures.incrementAndGet();
    }
  }

  /** The client closed its connection to {@code server} (the fallback ended, or the client closed): no failure. */
  void serverClosed(String server) {
    counters(server).connected = false;
  }

  void updateValid(String server, String typeUrl) {
    counters(server).valid.computeIfAbsent(typeUrl, t -> new AtomicLong()).incrementAndGet();
  }

  void updateInvalid(String server, String typeUrl) {
    counters(server).invalid.computeIfAbsent(typeUrl, t -> new AtomicLong()).incrementAndGet();
  }

  void publishResources(Map<String, EnumMap<CacheState, Long>> counts) {
    Map<String, Map<CacheState, Long>> copy = new java.util.LinkedHashMap<>();
    counts.forEach((type, byState) -> copy.put(type, Map.copyOf(byState)));
    resources = java.util.Collections.unmodifiableMap(copy);
  }

  private ServerCounters counters(String server) {
    return byServer.computeIfAbsent(server, s -> new ServerCounters());
  }

  private static final class ServerCounters {
    volatile boolean connected;
    boolean unhealthy;
    final AtomicLong failures = new AtomicLong();
    final Map<String, AtomicLong> valid = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> invalid = new ConcurrentHashMap<>();
  }
}

package io.mesh4j.runtime.config;

import io.grpc.SynchronizationContext;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.cluster.LbEnvironment;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.route.RouteTable;
import io.mesh4j.runtime.xds.ResourceSubscriptions;
import io.mesh4j.runtime.xds.XdsResourceType;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.listener.ListenerResource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows each target the application calls from its Listener to its RouteConfiguration, Clusters and
 * ClusterLoadAssignments, and publishes one immutable {@link MeshSnapshot} for the request path.
 *
 * <p>All state lives on one serial context. After every update the assembler reconciles: it works out which
 * routes, clusters and endpoints the targets now need, subscribes to new ones and drops unused ones, then rebuilds
 * the snapshot. A target's config is replaced only once everything it refers to has been heard of (present or
 * absent), as grpc-java does, so a route never points at a cluster that is still on its way; until then the
 * previous config keeps serving.
 */
public final class ConfigAssembler {
  private static final Logger log = LoggerFactory.getLogger(ConfigAssembler.class);

  private final ResourceSubscriptions xds;
  private final ResourceTypes types;
  private final LongSupplier random;
  private final LbEnvironment lbEnvironment;
  private final PolicyEnvironment policyEnvironment;
  private final UnaryOperator<String> listenerName;
  private final SynchronizationContext serial;

  /** By target ({@code host:port}); each watches the listener the bootstrap's name template gives. */
  private final Map<String, Watched<ListenerResource>> listeners = new HashMap<>();
  private final Map<String, Watched<RouteTable>> routes = new HashMap<>();
  private final Map<String, Watched<ClusterResource>> clusters = new HashMap<>();
  private final Map<String, Watched<EndpointResource>> endpoints = new HashMap<>();
  private final Map<String, ClusterRuntime> runtimes = new HashMap<>();
  private final Map<String, CompletableFuture<TargetConfig>> firstConfig = new ConcurrentHashMap<>();
  private volatile MeshSnapshot snapshot = MeshSnapshot.EMPTY;
  private boolean closed;

  /**
   * @param listenerName the LDS name of a target, from the bootstrap's
   *     {@code client_default_listener_resource_name_template}
   * @param random seeds where round robin starts in each new cluster, so clients do not all begin on one endpoint
   */
  public ConfigAssembler(
      ResourceSubscriptions xds, ResourceTypes types, UnaryOperator<String> listenerName, LongSupplier random) {
    this(xds, types, listenerName, random, LbEnvironment.shared(), PolicyEnvironment.system());
  }

  /**
   * @param lbEnvironment randomness, scheduler and connector for the clusters' load balancing and probes
   * @param policyEnvironment clock, random and timers for the clusters' outlier detection
   */
  public ConfigAssembler(
      ResourceSubscriptions xds, ResourceTypes types, UnaryOperator<String> listenerName, LongSupplier random,
      LbEnvironment lbEnvironment, PolicyEnvironment policyEnvironment) {
    this.lbEnvironment = Objects.requireNonNull(lbEnvironment, "lbEnvironment");
    this.policyEnvironment = Objects.requireNonNull(policyEnvironment, "policyEnvironment");
    this.xds = Objects.requireNonNull(xds, "xds");
    this.types = Objects.requireNonNull(types, "types");
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
    this.random = Objects.requireNonNull(random, "random");
    this.serial = new SynchronizationContext(
        (thread, error) -> log.error("mesh config assembly failed; the last config keeps serving", error));
  }

  /** The current snapshot; lock-free, for the request path. */
  public MeshSnapshot snapshot() {
    return snapshot;
  }

  /**
   * Starts following {@code target} if it is not followed yet. The future completes with the target's first config
   * (which may be {@link TargetConfig.NotInMesh}); it never fails, the caller bounds the wait.
   */
  public CompletableFuture<TargetConfig> subscribe(String target) {
    TargetConfig known = snapshot.target(target);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    CompletableFuture<TargetConfig> future = firstConfig.computeIfAbsent(target, t -> {
      serial.execute(() -> startListener(t));
      return new CompletableFuture<>();
    });
    // The snapshot may have been published between the read above and the registration.
    TargetConfig raced = snapshot.target(target);
    if (raced != null) {
      future.complete(raced);
    }
    return future;
  }

  /** Drops every subscription; the last snapshot stays readable. */
  public void close() {
    serial.execute(() -> {
      closed = true;
      listeners.forEach((target, watched) -> xds.cancelWatch(types.listeners(), watched.name(), watched));
      listeners.clear();
      cancelAll(types.routes(), routes);
      cancelAll(types.clusters(), clusters);
      cancelAll(types.endpoints(), endpoints);
    });
  }

  private void startListener(String target) {
    if (closed || listeners.containsKey(target)) {
      return;
    }
    String name = listenerName.apply(target);
    Watched<ListenerResource> watched = new Watched<>(name, serial, this::reconcile);
    listeners.put(target, watched);
    xds.watch(types.listeners(), name, watched);
  }

  private void reconcile() {
    if (closed) {
      return;
    }
    Set<String> wantedRoutes = new LinkedHashSet<>();
    for (Watched<ListenerResource> listener : listeners.values()) {
      ListenerResource value = listener.value();
      if (value != null && value.rdsRouteConfigName() != null) {
        wantedRoutes.add(value.rdsRouteConfigName());
      }
    }
    syncWatches(types.routes(), routes, wantedRoutes);

    Set<String> wantedClusters = new LinkedHashSet<>();
    for (Watched<ListenerResource> listener : listeners.values()) {
      RouteTable table = routeTableOf(listener.value());
      if (table != null) {
        wantedClusters.addAll(table.clusterNames());
      }
    }
    syncWatches(types.clusters(), clusters, wantedClusters);

    Set<String> wantedEndpoints = new LinkedHashSet<>();
    for (Watched<ClusterResource> cluster : clusters.values()) {
      if (cluster.value() != null) {
        wantedEndpoints.add(cluster.value().edsServiceName());
      }
    }
    syncWatches(types.endpoints(), endpoints, wantedEndpoints);

    publish();
  }

  private RouteTable routeTableOf(ListenerResource listener) {
    if (listener == null) {
      return null;
    }
    if (listener.inlineRouteTable() != null) {
      return listener.inlineRouteTable();
    }
    Watched<RouteTable> table = routes.get(listener.rdsRouteConfigName());
    return table == null ? null : table.value();
  }

  private <T> void syncWatches(XdsResourceType<T> type, Map<String, Watched<T>> watches, Set<String> wanted) {
    watches.entrySet().removeIf(entry -> {
      if (wanted.contains(entry.getKey())) {
        return false;
      }
      xds.cancelWatch(type, entry.getKey(), entry.getValue());
      return true;
    });
    for (String name : wanted) {
      if (!watches.containsKey(name)) {
        Watched<T> watched = new Watched<>(name, serial, this::reconcile);
        watches.put(name, watched);
        xds.watch(type, name, watched);
      }
    }
  }

  private void publish() {
    MeshSnapshot previous = snapshot;
    Map<String, TargetConfig> next = new HashMap<>();
    Set<String> usedRuntimes = new HashSet<>();
    for (Map.Entry<String, Watched<ListenerResource>> entry : listeners.entrySet()) {
      String target = entry.getKey();
      TargetConfig built = build(target, entry.getValue(), usedRuntimes);
      TargetConfig config = built != null ? built : previous.target(target);
      if (config != null) {
        next.put(target, config);
      }
    }
    runtimes.entrySet().removeIf(e -> !usedRuntimes.contains(e.getKey()) && retire(e.getValue()));
    MeshSnapshot published = new MeshSnapshot(next);
    if (!published.equals(previous)) {
      snapshot = published;
    }
    for (Map.Entry<String, TargetConfig> entry : next.entrySet()) {
      CompletableFuture<TargetConfig> waiting = firstConfig.remove(entry.getKey());
      if (waiting != null) {
        waiting.complete(entry.getValue());
      }
    }
  }

  /** The target's config, or {@code null} while something it needs has not been heard of yet. */
  private TargetConfig build(String target, Watched<ListenerResource> listener, Set<String> usedRuntimes) {
    switch (listener.state()) {
      case PENDING:
        return null;
      case ABSENT:
        return new TargetConfig.NotInMesh(target);
      default:
        break;
    }
    ListenerResource value = listener.value();
    RouteTable table = value.inlineRouteTable();
    if (table == null) {
      Watched<RouteTable> rds = routes.get(value.rdsRouteConfigName());
      if (rds == null || rds.state() == Watched.State.PENDING) {
        return null;
      }
      if (rds.state() == Watched.State.ABSENT) {
        return new TargetConfig.Unroutable(
            target, "route configuration '" + value.rdsRouteConfigName() + "' does not exist");
      }
      table = rds.value();
    }
    Map<String, ClusterRuntime> targetClusters = new HashMap<>();
    for (String clusterName : table.clusterNames()) {
      Watched<ClusterResource> cluster = clusters.get(clusterName);
      if (cluster == null || cluster.state() == Watched.State.PENDING) {
        return null;
      }
      if (cluster.state() == Watched.State.ABSENT) {
        continue;
      }
      Watched<EndpointResource> eds = endpoints.get(cluster.value().edsServiceName());
      if (eds == null || eds.state() == Watched.State.PENDING) {
        return null;
      }
      targetClusters.put(clusterName, runtimeFor(cluster.value(), eds.value()));
      usedRuntimes.add(clusterName);
    }
    return new TargetConfig.Routed(
        target, table, targetClusters, value.httpFilters(), value.maxStreamDuration());
  }

  /** Reuses the runtime while its inputs are the same objects, so round robin carries on across unrelated updates. */
  private ClusterRuntime runtimeFor(ClusterResource cluster, EndpointResource assignment) {
    ClusterRuntime existing = runtimes.get(cluster.name());
    if (existing != null && existing.cluster() == cluster && existing.endpoints() == assignment) {
      return existing;
    }
    ClusterRuntime built = ClusterRuntime.build(
        cluster, assignment, random.getAsLong(), existing, lbEnvironment, policyEnvironment);
    runtimes.put(cluster.name(), built);
    return built;
  }

  private static boolean retire(ClusterRuntime runtime) {
    runtime.retire();
    return true;
  }

  private <T> void cancelAll(XdsResourceType<T> type, Map<String, Watched<T>> watches) {
    watches.forEach((name, watched) -> xds.cancelWatch(type, name, watched));
    watches.clear();
  }
}

package io.mesh4j.runtime.config;

import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.cluster.LbEnvironment;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.route.RouteTable;
import io.mesh4j.runtime.xds.ResourceSubscriptions;
import io.mesh4j.runtime.xds.XdsResourceType;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.listener.ListenerResource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows each target the application calls from its Listener to its RouteConfiguration, Clusters and
 * ClusterLoadAssignments, and publishes one immutable {@link MeshSnapshot} for the request path.
 *
 * <p>All state lives on one {@link AssemblyThread}, and only that thread touches it or the xDS client's watches: a
 * request thread asking for a new target registers a waiter and queues the subscription, nothing more. After every
 * update the assembler reconciles: it works out which
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
  private final AssemblyThread serial = new AssemblyThread();

  /** By target ({@code host:port}); each watches the listener the bootstrap's name template gives. */
  private final Map<String, Watched<ListenerResource>> listeners = new HashMap<>();
  private final Map<String, Watched<RouteTable>> routes = new HashMap<>();
  private final Map<String, Watched<ClusterResource>> clusters = new HashMap<>();
  private final Map<String, Watched<EndpointResource>> endpoints = new HashMap<>();
  private final Map<String, ClusterRuntime> runtimes = new HashMap<>();
  private final Map<String, CompletableFuture<TargetConfig>> firstConfig = new ConcurrentHashMap<>();
  /** Clusters followed by name (requests sent to a cluster, not through a route), whatever the routes name. */
  private final Set<String> clusterTargets = new LinkedHashSet<>();
  private final Map<String, CompletableFuture<ClusterTarget>> firstClusterConfig = new ConcurrentHashMap<>();
  private final Set<SnapshotListener> listenersOfSnapshots = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;
  private volatile MeshSnapshot snapshot = MeshSnapshot.EMPTY;
  private boolean closed;
  private boolean reconcileQueued;
  /** The published snapshot's cluster maps by route table (identity), during a publish: reused while unchanged. */
  private Map<RouteTable, Map<String, ClusterRuntime>> clustersByTable = new IdentityHashMap<>();
  /**
   * Counts every change of what a table's cluster map is built from other than an endpoint watch hearing something: a
   * cluster watch added, dropped or updated, an endpoint watch added or dropped. While it stands still, a table naming
   * the same clusters as one the last publish built a map for gets that map (a one-route change makes a new table
   * naming the same 10,000 clusters), with the runtimes of {@link #endpointsChangedSinceMaps} replaced.
   */
  private long clusterInputs;
  /** The EDS names whose watch heard something since the last publish built {@link #clusterMaps}. */
  private final Set<String> endpointsChangedSinceMaps = new HashSet<>();
  /** The cluster maps the last publish built or reused, by the cluster names they were built for. */
  private List<ClusterMap> clusterMaps = List.of();
  /** The {@link #clusterInputs} the last publish built {@link #clusterMaps} at. */
  private long clusterMapsAt = -1;
  /**
   * The lineage of each cluster map the published snapshot serves (see {@link ClusterMap}), by identity; a map not
   * here is its own.
   */
  private Map<Map<String, ClusterRuntime>, Object> lineages = new IdentityHashMap<>();
  /** The runtimes the last publish kept. */
  private UsedRuntimes lastUsedRuntimes;
  /** Counts every change of the cluster watches or of what they heard: part of what the endpoints wanted depend on. */
  private long clusterWatches;
  /**
   * What the cluster and endpoint watches were last synced from; a sync from the same inputs would change nothing,
   * and is skipped (a one-route change syncs twice, each a pass over 10,000 names, to find nothing to do).
   */
  private ClusterWatchInputs clustersSyncedFrom;
  private EndpointWatchInputs endpointsSyncedFrom;
  private final AtomicLong runtimesBuilt = new AtomicLong();
  private final AtomicLong clusterMapsBuilt = new AtomicLong();
  private final AtomicLong reconciles = new AtomicLong();

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
  }

  /**
   * How many cluster runtimes (each with its load plan) have been built: one per new cluster, and one per change of a
   * cluster or its endpoints; unrelated clusters keep theirs. For benchmarks and tests of what an update costs.
   */
  public long clusterRuntimesBuilt() {
    return runtimesBuilt.get();
  }

  /**
   * How many cluster maps (a route table's clusters and their runtimes) have been built cluster by cluster: one per
   * new table naming other clusters, and one per cluster change; a table naming the same clusters reuses its map, and
   * an endpoint change copies it with the changed clusters' runtimes replaced. For benchmarks and tests of what an
   * update costs.
   */
  public long clusterMapsBuilt() {
    return clusterMapsBuilt.get();
  }

  /**
   * How many times the assembler has worked out what the targets need and rebuilt the snapshot (each a pass over every
   * target, cluster and endpoint): about once per xDS response, however many resources it carries. For benchmarks
   * and tests of what an update costs.
   */
  public long reconciles() {
    return reconciles.get();
  }

  /** The current snapshot; lock-free, for the request path. */
  public MeshSnapshot snapshot() {
    return snapshot;
  }

  /**
   * Starts following {@code target} if it is not followed yet. The future completes with the target's first config
   * (which may be {@link TargetConfig.NotInMesh}); it never fails, the caller bounds the wait. The caller only
   * registers the waiter and queues the subscription: the xDS work happens on the assembly thread.
   */
  public CompletableFuture<TargetConfig> subscribe(String target) {
    TargetConfig known = snapshot.target(target);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    CompletableFuture<TargetConfig> created = new CompletableFuture<>();
    CompletableFuture<TargetConfig> future = firstConfig.putIfAbsent(target, created);
    if (future == null) {
      future = created;
      serial.execute(() -> startListener(target));
    }
    // The snapshot may have been published between the read above and the registration, with no waiter to complete.
    TargetConfig raced = snapshot.target(target);
    if (raced != null) {
      future.complete(raced);
      firstConfig.remove(target, future);
    }
    return future;
  }

  /**
   * Starts following the cluster {@code name} by itself (its CDS resource and its endpoints), so that requests can be
   * sent to it by name even when no route names it, as Envoy's {@code http_uri.cluster}. The future completes with
   * the cluster's first config (which may say it does not exist); it never fails, the caller bounds the wait. Only
   * registers the waiter and queues the subscription, as {@link #subscribe} does.
   */
  public CompletableFuture<ClusterTarget> subscribeCluster(String name) {
    ClusterTarget known = snapshot.clusterTarget(name);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    CompletableFuture<ClusterTarget> created = new CompletableFuture<>();
    CompletableFuture<ClusterTarget> future = firstClusterConfig.putIfAbsent(name, created);
    if (future == null) {
      future = created;
      serial.execute(() -> startCluster(name));
    }
    ClusterTarget raced = snapshot.clusterTarget(name);
    if (raced != null) {
      future.complete(raced);
      firstClusterConfig.remove(name, future);
    }
    return future;
  }

  /**
   * Tells {@code listener} of every snapshot published from now on, and of the close; the returned handle stops
   * that. A listener added after {@link #close} is told of the close at once.
   */
  public AutoCloseable listen(SnapshotListener listener) {
    Objects.requireNonNull(listener, "listener");
    listenersOfSnapshots.add(listener);
    if (closing && listenersOfSnapshots.remove(listener)) {
      listener.closed();
    }
    return () -> listenersOfSnapshots.remove(listener);
  }

  /**
   * Tells the snapshot listeners the mesh is closing (on this thread, so what they hold is released when this
   * returns), drops every subscription, then ends the assembly thread; the last snapshot stays readable.
   */
  public void close() {
    closing = true;
    for (SnapshotListener listener : List.copyOf(listenersOfSnapshots)) {
      if (listenersOfSnapshots.remove(listener)) {
        listener.closed();
      }
    }
    serial.execute(() -> {
      closed = true;
      listeners.forEach((target, watched) -> xds.cancelWatch(types.listeners(), watched.name(), watched));
      listeners.clear();
      clusterTargets.clear();
      cancelAll(types.routes(), routes);
      cancelAll(types.clusters(), clusters);
      cancelAll(types.endpoints(), endpoints);
      runtimes.values().forEach(ClusterRuntime::retire);
      runtimes.clear();
    });
    serial.close();
  }

  private void startCluster(String name) {
    if (closed || !clusterTargets.add(name)) {
      return;
    }
    // The cluster may be watched and complete already (a route names it): nothing else would publish it.
    reconcileSoon();
  }

  private void startListener(String target) {
    if (closed || listeners.containsKey(target)) {
      return;
    }
    String name = listenerName.apply(target);
    Watched<ListenerResource> watched = new Watched<>(name, serial, this::reconcileSoon);
    listeners.put(target, watched);
    xds.watch(types.listeners(), name, watched);
  }

  /**
   * Queues one reconcile, unless one is queued, behind every update of the xDS client's current delivery: a response
   * of 10,000 clusters calls 10,000 watchers, and reconciling after each (a pass over every target and cluster) made a
   * large push quadratic. Queuing it behind the updates already queued on this thread was not enough: this thread
   * catches up with the client's calls while they are still being made, and a 10,000-cluster push reconciled some 240
   * times. Runs on the assembly thread.
   */
  private void reconcileSoon() {
    if (!reconcileQueued) {
      reconcileQueued = true;
      xds.afterDelivery(() -> serial.execute(() -> {
        reconcileQueued = false;
        reconcile();
      }));
    }
  }

  private void reconcile() {
    if (closed) {
      return;
    }
    reconciles.incrementAndGet();
    syncWatches();
    if (publish()) {
      // The clusters and endpoints only the replaced config used are released now that nothing serving needs them.
      syncWatches();
    }
  }

  /**
   * Watches what the targets' current resources need, and keeps what the published snapshot still serves from: a
   * new route's clusters (and a new cluster's endpoints) are pending for a while, and until they arrive the previous
   * config keeps serving, so its resources stay subscribed (and updated) rather than passing through an empty
   * subscription on the way. The changes are one batch: the control plane hears of them in one request per type.
   */
  private void syncWatches() {
    xds.batch(this::syncWatchesNow);
  }

  private void syncWatchesNow() {
    Set<String> wantedRoutes = new LinkedHashSet<>();
    for (Watched<ListenerResource> listener : listeners.values()) {
      ListenerResource value = listener.value();
      if (value != null && value.rdsRouteConfigName() != null) {
        wantedRoutes.add(value.rdsRouteConfigName());
      }
    }
    syncWatches(types.routes(), routes, wantedRoutes);

    // Targets commonly share a route table (istiod sends one per port, naming every cluster): read each once, and
    // each set of names once (a changed table commonly names the same clusters as the one it replaces).
    Set<RouteTable> tables = Collections.newSetFromMap(new IdentityHashMap<>());
    Set<Object> servedLineages = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Map<String, ClusterRuntime>> servedMaps = new ArrayList<>();
    List<Set<String>> nameSets = new ArrayList<>();
    for (TargetConfig serving : snapshot.targets().values()) {
      if (serving instanceof TargetConfig.Routed routed) {
        if (tables.add(routed.routes())) {
          addNames(nameSets, routed.routes().clusterNames());
        }
        if (servedLineages.add(lineageOf(routed.clusters()))) {
          servedMaps.add(routed.clusters());
        }
      }
    }
    for (Watched<ListenerResource> listener : listeners.values()) {
      RouteTable table = routeTableOf(listener.value());
      if (table != null && tables.add(table)) {
        addNames(nameSets, table.clusterNames());
      }
    }
    ClusterWatchInputs clusterInputsNow = new ClusterWatchInputs(nameSets, clusterTargets.size());
    if (!clusterInputsNow.sameNames(clustersSyncedFrom)) {
      Set<String> wantedClusters = new LinkedHashSet<>(clusterTargets);
      nameSets.forEach(wantedClusters::addAll);
      syncWatches(types.clusters(), clusters, wantedClusters);
      clustersSyncedFrom = clusterInputsNow;
    }

    Set<ClusterRuntime> servedClusterTargets = Collections.newSetFromMap(new IdentityHashMap<>());
    for (ClusterTarget serving : snapshot.clusterTargets().values()) {
      if (serving.exists()) {
        servedClusterTargets.add(serving.runtime());
      }
    }
    EndpointWatchInputs endpointInputsNow =
        new EndpointWatchInputs(servedLineages, servedClusterTargets, clusterWatches);
    if (!endpointInputsNow.equals(endpointsSyncedFrom)) {
      Set<String> wantedEndpoints = new LinkedHashSet<>();
      servedClusterTargets.forEach(runtime -> wantedEndpoints.add(runtime.cluster().edsServiceName()));
      for (Map<String, ClusterRuntime> served : servedMaps) {
        served.values().forEach(runtime -> wantedEndpoints.add(runtime.cluster().edsServiceName()));
      }
      for (Watched<ClusterResource> cluster : clusters.values()) {
        if (cluster.value() != null) {
          wantedEndpoints.add(cluster.value().edsServiceName());
        }
      }
      syncWatches(types.endpoints(), endpoints, wantedEndpoints);
      endpointsSyncedFrom = endpointInputsNow;
    }
  }

  /** Adds {@code names} to {@code sets} unless an equal set is there already. */
  private static void addNames(List<Set<String>> sets, Set<String> names) {
    for (Set<String> known : sets) {
      if (sameNames(known, names)) {
        return;
      }
    }
    sets.add(names);
  }

  /** Equal sets of names, comparing identity and size before the elements. */
  private static boolean sameNames(Set<String> a, Set<String> b) {
    return a == b || (a.size() == b.size() && a.equals(b));
  }

  /**
   * What the cluster watches are synced from: the distinct sets of cluster names the served and current route tables
   * name, and the clusters followed by name (a set that only grows, so its size says what it holds).
   */
  private record ClusterWatchInputs(List<Set<String>> nameSets, int clusterTargets) {
    boolean sameNames(ClusterWatchInputs other) {
      if (other == null || other.clusterTargets != clusterTargets || other.nameSets.size() != nameSets.size()) {
        return false;
      }
      // Each list holds distinct sets, so equal sizes and each of one found in the other make the unions equal.
      for (Set<String> names : nameSets) {
        boolean found = false;
        for (Set<String> known : other.nameSets) {
          if (ConfigAssembler.sameNames(known, names)) {
            found = true;
            break;
          }
        }
        if (!found) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * What the endpoint watches are synced from: the lineages of the served cluster maps and the cluster targets'
   * runtimes (identity sets; all immutable) and the count of changes of the cluster watches.
   */
  private record EndpointWatchInputs(
      Set<Object> servedLineages, Set<ClusterRuntime> servedClusterTargets, long clusterWatches) {}

  /**
   * A cluster map a publish built or reused, the cluster names it was built for, and its lineage: the map it was
   * built as, cluster by cluster, from which it differs at most by runtimes replaced for endpoint changes. Maps of one
   * lineage hold the same cluster resources under the same names, so they need the same watches.
   */
  private record ClusterMap(Set<String> names, Map<String, ClusterRuntime> runtimes, Object lineage) {}

  private Object lineageOf(Map<String, ClusterRuntime> served) {
    Object lineage = lineages.get(served);
    return lineage != null ? lineage : served;
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

  /**
   * Watches what is newly wanted before cancelling what is not, so a type's subscription never passes through the
   * empty set on its way from one name to another: in state-of-the-world xDS an empty request can read as a wildcard,
   * and the control plane's answer to it can cross the request for the new name.
   */
  private <T> void syncWatches(XdsResourceType<T> type, Map<String, Watched<T>> watches, Set<String> wanted) {
    Runnable onUpdate = type == types.clusters() ? this::clusterChanged : this::reconcileSoon;
    int size = watches.size();
    boolean added = false;
    for (String name : wanted) {
      if (!watches.containsKey(name)) {
        Watched<T> watched =
            new Watched<>(name, serial, type == types.endpoints() ? () -> endpointChanged(name) : onUpdate);
        watches.put(name, watched);
        xds.watch(type, name, watched);
        added = true;
      }
    }
    watches.entrySet().removeIf(entry -> {
      if (wanted.contains(entry.getKey())) {
        return false;
      }
      xds.cancelWatch(type, entry.getKey(), entry.getValue());
      return true;
    });
    if (added || watches.size() != size) {
      if (type == types.clusters()) {
        clusterWatches++;
        clusterInputs++;
      } else if (type == types.endpoints()) {
        clusterInputs++;
      }
    }
  }

  /** A cluster watch heard something. */
  private void clusterChanged() {
    clusterWatches++;
    clusterInputs++;
    reconcileSoon();
  }

  /** The endpoint watch of {@code edsName} heard something. */
  private void endpointChanged(String edsName) {
    endpointsChangedSinceMaps.add(edsName);
    reconcileSoon();
  }

  /** Rebuilds the snapshot; whether it changed. */
  private boolean publish() {
    MeshSnapshot previous = snapshot;
    Map<String, TargetConfig> next = new HashMap<>();
    UsedRuntimes usedRuntimes = new UsedRuntimes();
    Map<RouteTable, Optional<Map<String, ClusterRuntime>>> tableClusters = new IdentityHashMap<>();
    List<ClusterMap> mapsNow = new ArrayList<>();
    clustersByTable = new IdentityHashMap<>();
    for (TargetConfig serving : previous.targets().values()) {
      if (serving instanceof TargetConfig.Routed routed) {
        clustersByTable.putIfAbsent(routed.routes(), routed.clusters());
      }
    }
    for (Map.Entry<String, Watched<ListenerResource>> entry : listeners.entrySet()) {
      String target = entry.getKey();
      TargetConfig built = build(target, entry.getValue(), usedRuntimes, tableClusters, mapsNow);
      TargetConfig config = built != null ? built : previous.target(target);
      if (built == null && config instanceof TargetConfig.Routed serving) {
        // The previous config keeps serving until the new one is complete: its clusters stay live (probes and all).
        usedRuntimes.use(serving.clusters(), lineageOf(serving.clusters()));
      }
      if (config != null) {
        next.put(target, config);
      }
    }
    Map<String, ClusterTarget> nextClusters = new HashMap<>();
    for (String name : clusterTargets) {
      ClusterTarget built = buildClusterTarget(name, usedRuntimes);
      ClusterTarget config = built != null ? built : previous.clusterTarget(name);
      if (built == null && config != null && config.exists()) {
        usedRuntimes.names.add(name); // the previous one keeps serving until the new one is complete
      }
      if (config != null) {
        nextClusters.put(name, config);
      }
    }
    if (!usedRuntimes.sameAs(lastUsedRuntimes)) {
      // Every runtime held was used by the last publish or built by this one (for a name it uses): when both use
      // the same, none is unused, and the pass over 10,000 runtimes is skipped.
      runtimes.entrySet().removeIf(e -> !usedRuntimes.contains(e.getKey()) && retire(e.getValue()));
    }
    lastUsedRuntimes = usedRuntimes;
    clusterMaps = mapsNow;
    clusterMapsAt = clusterInputs;
    endpointsChangedSinceMaps.clear();
    lineages = usedRuntimes.lineages;
    MeshSnapshot published = new MeshSnapshot(next, nextClusters);
    boolean changed = !published.equals(previous);
    if (changed) {
      tellListeners(listener -> listener.publishing(published));
      snapshot = published;
    }
    for (Map.Entry<String, TargetConfig> entry : next.entrySet()) {
      CompletableFuture<TargetConfig> waiting = firstConfig.remove(entry.getKey());
      if (waiting != null) {
        waiting.complete(entry.getValue());
      }
    }
    for (Map.Entry<String, ClusterTarget> entry : nextClusters.entrySet()) {
      CompletableFuture<ClusterTarget> waiting = firstClusterConfig.remove(entry.getKey());
      if (waiting != null) {
        waiting.complete(entry.getValue());
      }
    }
    if (changed) {
      tellListeners(listener -> listener.published(published));
    }
    return changed;
  }

  private void tellListeners(Consumer<SnapshotListener> call) {
    for (SnapshotListener listener : listenersOfSnapshots) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        log.warn("a snapshot listener failed; it keeps what it held until the next snapshot", e);
      }
    }
  }

  /** The target's config, or {@code null} while something it needs has not been heard of yet. */
  private TargetConfig build(String target, Watched<ListenerResource> listener, UsedRuntimes usedRuntimes,
      Map<RouteTable, Optional<Map<String, ClusterRuntime>>> tableClusters, List<ClusterMap> mapsNow) {
    switch (listener.state()) {
      case PENDING:
        return null;
      case ABSENT:
        return new TargetConfig.NotInMesh(target);
      default:
        break;
    }
    ListenerResource value = listener.value();
    if (value.isServer()) {
      // As gRPC's resolver: a client needs an api_listener.
      return new TargetConfig.Unroutable(target, "listener '" + value.name() + "' is a server listener, not an "
          + "api_listener");
    }
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
    Optional<Map<String, ClusterRuntime>> built = tableClusters.get(table);
    if (built == null) {
      built = Optional.ofNullable(clustersOf(table, usedRuntimes, mapsNow));
      tableClusters.put(table, built);
    }
    if (built.isEmpty()) {
      return null;
    }
    Map<String, ClusterRuntime> targetClusters = built.get();
    return new TargetConfig.Routed(
        target, table, targetClusters, value.httpFilters(), value.maxStreamDuration());
  }

  /** A cluster followed by name, or {@code null} while it or its endpoints have not been heard of. */
  private ClusterTarget buildClusterTarget(String name, UsedRuntimes usedRuntimes) {
    Watched<ClusterResource> cluster = clusters.get(name);
    if (cluster == null || cluster.state() == Watched.State.PENDING) {
      return null;
    }
    if (cluster.state() == Watched.State.ABSENT) {
      return new ClusterTarget(name, null);
    }
    Watched<EndpointResource> eds = endpoints.get(cluster.value().edsServiceName());
    if (eds == null || eds.state() == Watched.State.PENDING) {
      return null;
    }
    usedRuntimes.names.add(name);
    // The same runtime as routes naming the cluster use: one set of breakers, outlier state and LB position.
    return new ClusterTarget(name, runtimeFor(cluster.value(), eds.value()));
  }

  /**
   * The runtimes of the clusters {@code table} names, or {@code null} while one is pending. Built once per table and
   * publish, whatever the number of targets sharing it; the previous publish's map is kept when nothing in it changed,
   * so the targets' configs compare equal by identity instead of entry by entry.
   */
  private Map<String, ClusterRuntime> clustersOf(RouteTable table, UsedRuntimes usedRuntimes,
      List<ClusterMap> mapsNow) {
    Set<String> names = table.clusterNames();
    for (ClusterMap known : mapsNow) {
      if (sameNames(known.names(), names)) {
        return usedRuntimes.use(known);
      }
    }
    if (clusterMapsAt == clusterInputs) {
      // Nothing a map is built from changed since the last publish built this one, but perhaps some endpoints.
      for (ClusterMap known : clusterMaps) {
        if (sameNames(known.names(), names)) {
          ClusterMap now = endpointsChangedSinceMaps.isEmpty() ? known : withChangedEndpoints(known);
          if (now != null) {
            mapsNow.add(now);
            return usedRuntimes.use(now);
          }
          break;
        }
      }
    }
    Map<String, ClusterRuntime> previous = clustersByTable.get(table);
    @SuppressWarnings("unchecked")
    Map.Entry<String, ClusterRuntime>[] entries = new Map.Entry[table.clusterNames().size()];
    int count = 0;
    boolean asBefore = previous != null;
    for (String clusterName : table.clusterNames()) {
      Watched<ClusterResource> cluster = clusters.get(clusterName);
      if (cluster == null || cluster.state() == Watched.State.PENDING) {
        return usedRuntimes.keepBuilt(entries, count);
      }
      if (cluster.state() == Watched.State.ABSENT) {
        continue;
      }
      Watched<EndpointResource> eds = endpoints.get(cluster.value().edsServiceName());
      if (eds == null || eds.state() == Watched.State.PENDING) {
        return usedRuntimes.keepBuilt(entries, count);
      }
      ClusterRuntime runtime = runtimeFor(cluster.value(), eds.value());
      asBefore = asBefore && previous.get(clusterName) == runtime;
      entries[count++] = Map.entry(clusterName, runtime);
    }
    if (asBefore && previous.size() == count) {
      ClusterMap kept = new ClusterMap(names, previous, lineageOf(previous));
      mapsNow.add(kept);
      return usedRuntimes.use(kept);
    }
    clusterMapsBuilt.incrementAndGet();
    // Immutable already, so that each target's config holds this map rather than a copy of it; built from the entries
    // directly.
    Map<String, ClusterRuntime> built =
        Map.ofEntries(count == entries.length ? entries : Arrays.copyOf(entries, count));
    ClusterMap map = new ClusterMap(names, built, built);
    mapsNow.add(map);
    return usedRuntimes.use(map);
  }

  /**
   * {@code known} with the runtimes of the clusters whose endpoints changed since it was built replaced, of the same
   * lineage; {@code null} when one of those endpoint watches holds no assignment (the full build decides then). Only
   * when no cluster input but endpoints changed: every other runtime still stands for the current cluster resource
   * and assignment. One endpoint change in a table of 10,000 clusters used to build its map cluster by cluster and
   * sync the endpoint watches of every cluster, each a pass of lookups over 10,000 names.
   */
  private ClusterMap withChangedEndpoints(ClusterMap known) {
    Map<String, ClusterRuntime> runtimes = known.runtimes();
    @SuppressWarnings("unchecked")
    Map.Entry<String, ClusterRuntime>[] entries = new Map.Entry[runtimes.size()];
    int count = 0;
    boolean changed = false;
    for (Map.Entry<String, ClusterRuntime> entry : runtimes.entrySet()) {
      ClusterRuntime runtime = entry.getValue();
      String edsName = runtime.cluster().edsServiceName();
      if (endpointsChangedSinceMaps.contains(edsName)) {
        Watched<EndpointResource> eds = endpoints.get(edsName);
        if (eds == null || eds.state() != Watched.State.PRESENT) {
          return null;
        }
        ClusterRuntime updated = runtimeFor(runtime.cluster(), eds.value());
        if (updated != runtime) {
          changed = true;
          entry = Map.entry(entry.getKey(), updated);
        }
      }
      entries[count++] = entry;
    }
    return changed ? new ClusterMap(known.names(), Map.ofEntries(entries), known.lineage()) : known;
  }

  /**
   * The cluster runtimes a publish keeps: those of the cluster maps it serves (held as the maps, not copied name by
   * name into a set of 10,000), of the clusters followed by name, and those built for a table still pending.
   */
  private static final class UsedRuntimes {
    /** The maps used (by identity), each with its lineage (see {@link ClusterMap}). */
    final Map<Map<String, ClusterRuntime>, Object> lineages = new IdentityHashMap<>();
    final Set<String> names = new HashSet<>();

    Map<String, ClusterRuntime> use(ClusterMap map) {
      return use(map.runtimes(), map.lineage());
    }

    Map<String, ClusterRuntime> use(Map<String, ClusterRuntime> map, Object lineage) {
      lineages.put(map, lineage);
      return map;
    }

    /** Keeps the runtimes built for a table before one of its clusters was found pending; no map. */
    Map<String, ClusterRuntime> keepBuilt(Map.Entry<String, ClusterRuntime>[] entries, int count) {
      for (int i = 0; i < count; i++) {
        names.add(entries[i].getKey());
      }
      return null;
    }

    /**
     * Uses maps of the same lineages (identity), so of the same cluster names, and the same names as {@code other}:
     * every runtime held is used by both.
     */
    boolean sameAs(UsedRuntimes other) {
      return other != null && sameLineages(other) && names.equals(other.names);
    }

    private boolean sameLineages(UsedRuntimes other) {
      Set<Object> mine = Collections.newSetFromMap(new IdentityHashMap<>());
      mine.addAll(lineages.values());
      Set<Object> theirs = Collections.newSetFromMap(new IdentityHashMap<>());
      theirs.addAll(other.lineages.values());
      return mine.equals(theirs);
    }

    boolean contains(String name) {
      if (names.contains(name)) {
        return true;
      }
      for (Map<String, ClusterRuntime> map : lineages.keySet()) {
        if (map.containsKey(name)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Reuses the runtime while its inputs are the same objects, so round robin carries on across unrelated updates. */
  private ClusterRuntime runtimeFor(ClusterResource cluster, EndpointResource assignment) {
    ClusterRuntime existing = runtimes.get(cluster.name());
    if (existing != null && existing.cluster() == cluster && existing.endpoints() == assignment) {
      return existing;
    }
    runtimesBuilt.incrementAndGet();
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

package io.mesh4j.benchmarks;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.runtime.bootstrap.BootstrapParser;
import io.mesh4j.runtime.bootstrap.XdsServer;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.cluster.ClusterType;
import io.mesh4j.runtime.cluster.EndpointType;
import io.mesh4j.runtime.config.ConfigAssembler;
import io.mesh4j.runtime.config.MeshSnapshot;
import io.mesh4j.runtime.config.ResourceTypes;
import io.mesh4j.runtime.config.TargetConfig;
import io.mesh4j.runtime.engine.MeshEngine;
import io.mesh4j.runtime.engine.RoutingDecision;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.route.RouteConfigurationType;
import io.mesh4j.runtime.view.InMemoryRequest;
import io.mesh4j.runtime.xds.XdsClient;
import io.mesh4j.samples.controlplane.AnswerWhatExistsWatcher;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A large mesh pushed at once through java-control-plane (ADS on loopback) to the mesh's xDS client and assembler,
 * shaped as istiod shapes it: one listener per target, all naming one route table of every virtual host, each of
 * a host's routes its own EDS cluster. Requests are routed through {@link MeshEngine#route}, the function every
 * OkHttp and gRPC request goes through, without the transport.
 *
 * <p>Measures: time from the first subscription until every target routes (the push applied and routable);
 * retained heap per cluster; time from a one-route RDS push until requests take the new route; that one endpoint
 * change builds one cluster runtime (load plan) and no other; and endpoint churn (add one, remove the last added)
 * on a small mesh, with the cluster's endpoint state and the heap after it.
 *
 * <p>Arguments: {@code [report.md] [virtual hosts, default 1000] [churn cycles, default 100000] [delta]}: with
 * {@code delta}, the large mesh is pushed and changed a second time over incremental xDS (the bootstrap's
 * {@code mesh4j_delta_xds} server feature), and its rows are added with "(delta xDS)". Between the two, the push
 * alone is measured again with a new mesh and control plane, so that what the first push spent warming the JVM up is
 * seen beside what the mesh's work costs once compiled.
 */
public final class ScaleBenchmark {
  private static final int ROUTES_PER_VHOST = 10;
  private static final int ENDPOINTS = 10;
  private static final int ENDPOINT_CHANGES = 5;
  private static final String GROUP = "all";
  private static final String CONTROL_PLANE_THREADS = "control-plane-";
  /** The xDS client's gRPC callbacks (parsing and handling responses), its scheduler, and the assembly thread. */
  private static final String MESH_THREADS = "mesh4j-";

  private final int vhosts;
  /** Whether the mesh talks incremental xDS to the control plane. */
  private final boolean delta;
  /** Added to each row's measure: which of the pushes in this JVM it is, e.g. " (delta xDS)"; "" for the first. */
  private final String variant;
  private final SimpleCache<String> cache = new SimpleCache<>(node -> GROUP);
  private final Server server;
  private final List<Listener> listeners = new ArrayList<>();
  private final List<Cluster> clusters = new ArrayList<>();
  private final List<ClusterLoadAssignment> assignments = new ArrayList<>();
  private RouteConfiguration routes;
  private int version;

  private ScaleBenchmark(int vhosts, boolean delta, String variant) throws Exception {
    this.vhosts = vhosts;
    this.delta = delta;
    this.variant = variant;
    V3DiscoveryServer discovery = new V3DiscoveryServer(new AnswerWhatExistsWatcher(cache, GROUP));
    // Named threads, so that the control plane's CPU time is told apart from the mesh's (netty's are shared).
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .executor(Executors.newCachedThreadPool(daemon(CONTROL_PLANE_THREADS)))
        .addService(discovery.getAggregatedDiscoveryServiceImpl()).build().start();
    for (int v = 0; v < vhosts; v++) {
      listeners.add(listener(target(v)));
      for (int r = 0; r < ROUTES_PER_VHOST; r++) {
        clusters.add(cluster(cluster(v, r)));
        assignments.add(assignment(cluster(v, r), ENDPOINTS, 10_000));
      }
    }
    routes = routeTable(-1);
  }

  public static void main(String[] args) throws Exception {
    Path report = Path.of(args.length > 0 ? args[0] : "benchmarks/REPORT-scale.md");
    int vhosts = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int churn = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
    boolean deltaToo = args.length > 3 && args[3].equals("delta");
    StringBuilder md = new StringBuilder();
    md.append("### Scale: ").append(vhosts).append(" virtual hosts, ").append(vhosts * ROUTES_PER_VHOST)
        .append(" clusters × ").append(ENDPOINTS).append(" endpoints, pushed at once\n\n");
    md.append("java-control-plane on loopback → `XdsClient` → `ConfigAssembler`; requests through `MeshEngine.route` ")
        .append("(the routing every OkHttp and gRPC call goes through, without its transport).\n\n");
    md.append("| measure | value |\n|---|---:|\n");
    measureBigPush(md, vhosts, false, "", true);
    // The same push again, to a new mesh and control plane: what the JVM's warm-up cost the first one.
    measureBigPush(md, vhosts, false, " (again, new mesh, warm JVM)", false);
    if (deltaToo) {
      measureBigPush(md, vhosts, true, " (delta xDS)", true);
    }
    ScaleBenchmark small = new ScaleBenchmark(10, false, "");
    try {
      small.measureChurn(md, churn);
    } finally {
      small.server.shutdownNow();
    }
    md.append("\nThe push's wall time includes java-control-plane answering in the same process (its snapshot ")
        .append("is built before the clock starts); CPU time is given per side, by thread: the mesh's (the xDS ")
        .append("client's gRPC callbacks that parse and apply responses, its scheduler, the assembly thread, the ")
        .append("routing checks on the main thread), the control plane's (serializing responses), and the whole ")
        .append("process's (JIT and GC threads included, most of a cold push). The change and churn times start ")
        .append("when the control plane's snapshot is set (java-control-plane then answers the open watch at once), ")
        .append("not when it starts being built; the time its building took is given beside them. java-control-")
        .append("plane answers inside `setSnapshot`, on the benchmark's thread, serializing every resource it sends: ")
        .append("that part of a change's time is the control plane's, and is given too. A state-of-the-world ")
        .append("response carries every resource of its type: one endpoint change is a response with every ")
        .append("assignment, which the client compares byte for byte with what it accepted, parsing and decoding ")
        .append("only the changed one; a one-route change resends the whole route table, whose unchanged virtual ")
        .append("hosts the decoder reuses; the new table names the same clusters, so the assembler keeps their map ")
        .append("and skips the watch syncs, which could change nothing. Over delta xDS (rows so marked, when the fourth argument is `delta`) the ")
        .append("control plane sends only the changed resource; those rows are measured after the others, with a new ")
        .append("control plane and mesh in the same JVM, by then warm, so their push is not a cold one. The rows marked ")
        .append("\"again, new mesh, warm JVM\" are the same state-of-the-world push to a new mesh and control plane, ")
        .append("right after the first: the first push is the first time this JVM runs the decoders and the assembler, ")
        .append("so its process CPU is mostly the JIT compiling them (the JIT and GC threads' rows, read from Linux's ")
        .append("`/proc/self/task`, where available); with two cores, the process's CPU time over two is a floor for ")
        .append("the wall time whatever the mesh's own share. A reconcile is one pass of the assembler over every ")
        .append("target and cluster.\n\n")
        .append("Heap is `MemoryMXBean` heap used after `System.gc()` (repeated until it stops falling), the control ")
        .append("plane's resources already allocated before the baseline: what the mesh retains (decoded resources, ")
        .append("the xDS client's copies of the raw protos for CSDS and of their bytes, cluster runtimes and load ")
        .append("plans, snapshot) divided ")
        .append("by the cluster count. The churn's heap is the whole process's: the mesh and the in-process control ")
        .append("plane (its 100-cluster snapshot), after the large mesh's client and control plane are closed and ")
        .append("collected. Until the xDS client batched unsubscriptions, closing the large mesh sent one request per ")
        .append("dropped resource, each naming every resource left, and that teardown was still running (and holding ")
        .append("its requests) during the churn: it, not the churn, was the growth from 217 to 397 MB an earlier run ")
        .append("reported.\n");
    Files.writeString(report, md.toString());
    System.out.println(md);
  }

  /**
   * The large mesh, its control plane unreachable once this returns.
   *
   * @param changesToo whether to measure the route and endpoint changes after the push
   */
  private static void measureBigPush(StringBuilder md, int vhosts, boolean delta, String variant, boolean changesToo)
      throws Exception {
    ScaleBenchmark big = new ScaleBenchmark(vhosts, delta, variant);
    try {
      big.measureBigPush(md, changesToo);
    } finally {
      big.server.shutdownNow();
      big.server.awaitTermination(1, TimeUnit.MINUTES);
    }
  }

  private void measureBigPush(StringBuilder md, boolean changesToo) throws Exception {
    publish(true, true, true);
    long baseline = usedHeapAfterGc();
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(daemon(MESH_THREADS + "xds-scheduler-"));
    ExecutorService xdsCallbacks = Executors.newCachedThreadPool(daemon(MESH_THREADS + "xds-client-"));
    XdsClient xds = XdsClient.newBuilder(BootstrapParser.parse(bootstrap(), "scale"), scheduler)
        .channelFactory(server -> Grpc.newChannelBuilder(server.serverUri(), server.channelCredentials())
            .executor(xdsCallbacks).build())
        .build();
    ConfigAssembler assembler = new ConfigAssembler(xds, new ResourceTypes(ListenerType.INSTANCE,
        RouteConfigurationType.INSTANCE, ClusterType.INSTANCE, EndpointType.INSTANCE), t -> t, () -> 7);
    MeshEngine engine = new MeshEngine(assembler, OutboundTrafficPolicy.REGISTRY_ONLY, Duration.ofMinutes(5),
        () -> 7);
    try {
      Map<String, Long> cpuBefore = cpuByThreadGroup();
      Map<String, Long> jvmCpuBefore = JvmThreadCpu.now();
      long processCpuBefore = processCpuNanos();
      long start = System.nanoTime();
      List<CompletableFuture<TargetConfig>> waits = new ArrayList<>();
      for (int v = 0; v < vhosts; v++) {
        waits.add(assembler.subscribe(target(v)));
      }
      waits.forEach(CompletableFuture::join);
      for (int v = 0; v < vhosts; v++) {
        String routed = routeTo(engine, v, ROUTES_PER_VHOST - 1);
        if (!routed.equals(cluster(v, ROUTES_PER_VHOST - 1))) {
          throw new IllegalStateException(target(v) + " routed to " + routed);
        }
      }
      long applied = System.nanoTime() - start;
      long processCpu = processCpuNanos() - processCpuBefore;
      Map<String, Long> jvmCpuAfter = JvmThreadCpu.now();
      Map<String, Long> cpuAfter = cpuByThreadGroup();
      int clusterCount = vhosts * ROUTES_PER_VHOST;
      row(md, label("push applied, every target routable"), ms(applied));
      row(md, label("push: CPU time of the mesh's threads"), ms(cpuAfter.get("mesh") - cpuBefore.get("mesh")));
      row(md, label("push: CPU time of the control plane's threads"), ms(cpuAfter.get("control plane")
          - cpuBefore.get("control plane")));
      row(md, label("push: CPU time of the whole process (JIT and GC too)"), ms(processCpu));
      for (String jvm : List.of("JIT", "GC")) {
        if (jvmCpuAfter.containsKey(jvm)) {
          row(md, label("push: CPU time of the " + jvm + " threads"),
              ms(jvmCpuAfter.get(jvm) - jvmCpuBefore.getOrDefault(jvm, 0L)));
        }
      }
      row(md, label("push: assembler reconciles"), Long.toString(assembler.reconciles()));
      long retained = usedHeapAfterGc() - baseline;
      row(md, label("retained heap"), String.format(Locale.ROOT, "%.1f MB", retained / 1e6));
      row(md, label("retained heap per cluster (" + ENDPOINTS + " endpoints each)"),
          String.format(Locale.ROOT, "%.1f KB", retained / 1024.0 / clusterCount));
      if (assembler.clusterRuntimesBuilt() != clusterCount) {
        throw new IllegalStateException("runtimes built: " + assembler.clusterRuntimesBuilt());
      }

      if (!changesToo) {
        return;
      }
      // One route moves to another cluster: only RDS is pushed.
      for (int round = 0; round < 5; round++) {
        int v = round * 7 % vhosts;
        routes = routeTable(v);
        long building = System.nanoTime();
        Snapshot next = next(false, true, false);
        long pushed = System.nanoTime();
        cache.setSnapshot(GROUP, next);
        long answered = System.nanoTime();
        int vv = v;
        awaitTrue(() -> routeTo(engine, vv, 0).equals(cluster(vv, 1)));
        row(md, label("one route change visible to requests (round " + (round + 1) + ")"),
            ms(System.nanoTime() - pushed) + answering(answered - pushed) + " (+ " + ms(pushed - building)
                + " building the control plane's snapshot)");
      }

      // One endpoint added to one cluster, five times, a different cluster each time: only EDS is pushed; one
      // runtime (load plan) is built per change.
      long builtBefore = assembler.clusterRuntimesBuilt();
      long mapsBefore = assembler.clusterMapsBuilt();
      MeshSnapshot before = assembler.snapshot();
      Set<String> changed = new HashSet<>();
      for (int round = 0; round < ENDPOINT_CHANGES; round++) {
        int v = (vhosts / 2 + round) % vhosts;
        String cluster = cluster(v, 3);
        changed.add(cluster);
        assignments.set(v * ROUTES_PER_VHOST + 3, assignment(cluster, ENDPOINTS + 1, 10_000));
        long building = System.nanoTime();
        Snapshot next = next(false, false, true);
        long pushed = System.nanoTime();
        cache.setSnapshot(GROUP, next);
        long answered = System.nanoTime();
        awaitTrue(() -> endpointsOf(assembler, cluster) == ENDPOINTS + 1);
        row(md, label("one endpoint change visible (round " + (round + 1) + ")"), ms(System.nanoTime() - pushed)
            + answering(answered - pushed) + " (+ " + ms(pushed - building) + " building the control plane's snapshot)");
      }
      long rebuilt = assembler.clusterRuntimesBuilt() - builtBefore;
      int kept = 0;
      var beforeClusters = ((TargetConfig.Routed) before.target(target(0))).clusters();
      var afterClusters = ((TargetConfig.Routed) assembler.snapshot().target(target(0))).clusters();
      int compared = 0;
      for (var entry : beforeClusters.entrySet()) {
        if (!changed.contains(entry.getKey())) {
          compared++;
          kept += afterClusters.get(entry.getKey()) == entry.getValue() ? 1 : 0;
        }
      }
      row(md, label("cluster runtimes (load plans) built for those " + ENDPOINT_CHANGES + " endpoint changes"),
          Long.toString(rebuilt));
      row(md, label("other clusters whose runtime was kept as is (same object)"), kept + " of " + compared);
      row(md, label("cluster maps built cluster by cluster for them (the served map is copied with the changed "
          + "runtime replaced)"), Long.toString(assembler.clusterMapsBuilt() - mapsBefore));
    } finally {
      assembler.close();
      xds.close();
      scheduler.shutdown();
      scheduler.awaitTermination(1, TimeUnit.MINUTES);
      xdsCallbacks.shutdown();
    }
  }

  private String label(String measure) {
    return measure + variant;
  }

  /** The part of a change's time java-control-plane spent answering inside {@code setSnapshot}, on this thread. */
  private static String answering(long nanos) {
    return ", of which " + ms(nanos) + " the control plane's answer";
  }

  /** CPU time of the live threads, by side: the mesh's, the control plane's, and the rest. */
  private static Map<String, Long> cpuByThreadGroup() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> cpu = new HashMap<>(Map.of("mesh", 0L, "control plane", 0L, "other", 0L));
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      String name = info.getThreadName();
      String group = name.startsWith(MESH_THREADS) || name.equals("main") ? "mesh"
          : name.startsWith(CONTROL_PLANE_THREADS) ? "control plane" : "other";
      cpu.merge(group, Math.max(0, threads.getThreadCpuTime(info.getThreadId())), Long::sum);
    }
    return cpu;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  private void measureChurn(StringBuilder md, int cycles) throws Exception {
    publish(true, true, true);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    XdsClient xds = XdsClient.newBuilder(BootstrapParser.parse(bootstrap(), "churn"), scheduler).build();
    ConfigAssembler assembler = new ConfigAssembler(xds, new ResourceTypes(ListenerType.INSTANCE,
        RouteConfigurationType.INSTANCE, ClusterType.INSTANCE, EndpointType.INSTANCE), t -> t, () -> 7);
    try {
      List<CompletableFuture<TargetConfig>> waits = new ArrayList<>();
      for (int v = 0; v < vhosts; v++) {
        waits.add(assembler.subscribe(target(v)));
      }
      waits.forEach(CompletableFuture::join);
      String churned = cluster(0, 0);
      long heapBefore = usedHeapAfterGc();
      long elapsed = 0;
      for (int i = 1; i <= cycles; i++) {
        int port = 20_000 + i % 40_000;
        ClusterLoadAssignment base = assignment(churned, ENDPOINTS, 10_000);
        assignments.set(0, base.toBuilder().setEndpoints(0, base.getEndpoints(0).toBuilder()
            .addLbEndpoints(assignment(churned, 1, port).getEndpoints(0).getLbEndpoints(0))).build());
        Snapshot next = next(false, false, true);
        long pushed = System.nanoTime();
        cache.setSnapshot(GROUP, next);
        awaitTrue(() -> hasPort(assembler, churned, port));
        elapsed += System.nanoTime() - pushed;
      }
      long heapAfter = usedHeapAfterGc();
      ClusterRuntime runtime = ((TargetConfig.Routed) assembler.snapshot().target(target(0))).clusters().get(churned);
      md.append('\n');
      md.append("| churn: endpoint add/remove cycles on one cluster (").append(vhosts * ROUTES_PER_VHOST)
          .append(" clusters) | ").append(cycles).append(" |\n");
      row(md, "churn: mean time per cycle (push to applied)", String.format(Locale.ROOT, "%.2f ms",
          elapsed / 1e6 / cycles));
      row(md, "churn: endpoints the cluster keeps state for afterwards", Integer.toString(runtime.trackedEndpoints()));
      row(md, "churn: cluster runtimes held", Integer.toString(
          ((TargetConfig.Routed) assembler.snapshot().target(target(0))).clusters().size()));
      row(md, "churn: heap used after GC, before → after", String.format(Locale.ROOT, "%.1f MB → %.1f MB",
          heapBefore / 1e6, heapAfter / 1e6));
    } finally {
      assembler.close();
      xds.close();
      scheduler.shutdownNow();
    }
  }

  private static boolean hasPort(ConfigAssembler assembler, String cluster, int port) {
    TargetConfig config = assembler.snapshot().target(target(0));
    if (!(config instanceof TargetConfig.Routed routed)) {
      return false;
    }
    ClusterRuntime runtime = routed.clusters().get(cluster);
    return runtime != null && runtime.endpoints().localities().get(0).endpoints().stream()
        .anyMatch(e -> e.hostPort().endsWith(":" + port));
  }

  private static int endpointsOf(ConfigAssembler assembler, String cluster) {
    ClusterRuntime runtime = ((TargetConfig.Routed) assembler.snapshot().target(target(0))).clusters().get(cluster);
    return runtime.endpoints().localities().get(0).endpoints().size();
  }

  /** The cluster a request to the vhost's route {@code r} is sent to. */
  private static String routeTo(MeshEngine engine, int vhost, int r) {
    try {
      RoutingDecision decision = engine.route(target(vhost), InMemoryRequest.get(target(vhost), "/r" + r + "/x"));
      decision.lease().release();
      decision.complete();
      return decision.cluster().name();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitTrue(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not applied within 5 minutes");
      }
      LockSupport.parkNanos(20_000);
    }
  }

  private void publish(boolean listenersToo, boolean routesToo, boolean endpointsToo) {
    cache.setSnapshot(GROUP, next(listenersToo, routesToo, endpointsToo));
  }

  /**
   * The control plane's next snapshot, built apart from its publication so that the time of a change is the control
   * plane's answer and the mesh's work, not the test's building (java-control-plane hashes every resource in it).
   */
  private Snapshot next(boolean listenersToo, boolean routesToo, boolean endpointsToo) {
    version++;
    String v = Integer.toString(version);
    String fixed = "1";
    Snapshot next = Snapshot.create(clusters, fixed, List.copyOf(assignments), endpointsToo ? v : last("e"),
        listeners, listenersToo ? v : last("l"), List.of(routes), routesToo ? v : last("r"), List.of(), fixed);
    if (endpointsToo) {
      lastVersions[0] = v;
    }
    if (listenersToo) {
      lastVersions[1] = v;
    }
    if (routesToo) {
      lastVersions[2] = v;
    }
    return next;
  }

  private final String[] lastVersions = {"0", "0", "0"};

  private String last(String type) {
    return switch (type) {
      case "e" -> lastVersions[0];
      case "l" -> lastVersions[1];
      default -> lastVersions[2];
    };
  }

  private String bootstrap() {
    return "{\"xds_servers\": [{\"server_uri\": \"127.0.0.1:" + server.getPort() + "\", \"channel_creds\": [{\"type\": "
        + "\"insecure\"}], \"server_features\": [\"xds_v3\"" + (delta ? ", \"" + XdsServer.DELTA_XDS + "\"" : "")
        + "]}], \"node\": {\"id\": \"scale\", \"cluster\": \"scale\"}}";
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      Thread.sleep(200);
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (used >= previous - (previous >> 8)) {
        return Math.min(used, previous);
      }
      previous = used;
    }
    return previous;
  }

  private static void row(StringBuilder md, String measure, String value) {
    md.append("| ").append(measure).append(" | ").append(value).append(" |\n");
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }

  static String target(int vhost) {
    return "svc-" + vhost + ".scale:80";
  }

  static String cluster(int vhost, int route) {
    return "c-" + vhost + "-" + route;
  }

  private static ConfigSource ads() {
    return ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3).build();
  }

  private static Listener listener(String name) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setRds(Rds.newBuilder().setRouteConfigName("80").setConfigSource(ads()))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
            .setTypedConfig(com.google.protobuf.Any.pack(Router.getDefaultInstance())))
        .build();
    return Listener.newBuilder().setName(name)
        .setApiListener(ApiListener.newBuilder().setApiListener(com.google.protobuf.Any.pack(hcm))).build();
  }

  /** Every vhost's routes {@code /rN} to its cluster N; in {@code movedVhost}, {@code /r0} goes to cluster 1. */
  private RouteConfiguration routeTable(int movedVhost) {
    RouteConfiguration.Builder config = RouteConfiguration.newBuilder().setName("80");
    for (int v = 0; v < vhosts; v++) {
      VirtualHost.Builder vhost = VirtualHost.newBuilder().setName("vh-" + v).addDomains(target(v));
      for (int r = 0; r < ROUTES_PER_VHOST; r++) {
        String cluster = v == movedVhost && r == 0 ? cluster(v, 1) : cluster(v, r);
        vhost.addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/r" + r + "/"))
            .setRoute(RouteAction.newBuilder().setCluster(cluster)));
      }
      if (v == movedVhost) {
        // The cluster /r0 left stays named, so that the change is one route and not a cluster removal as well.
        vhost.addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/kept/"))
            .setRoute(RouteAction.newBuilder().setCluster(cluster(v, 0))));
      }
      config.addVirtualHosts(vhost);
    }
    return config.build();
  }

  private static Cluster cluster(String name) {
    return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads())).build();
  }

  private static ClusterLoadAssignment assignment(String cluster, int endpoints, int firstPort) {
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    for (int e = 0; e < endpoints; e++) {
      locality.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(
          Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("10.0." + (e / 250) + "."
              + (1 + e % 250)).setPortValue(firstPort + e)))));
    }
    return ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(locality).build();
  }
}

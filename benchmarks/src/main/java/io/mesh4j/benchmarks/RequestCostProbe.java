package io.mesh4j.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.mesh4j.Mesh;
import io.mesh4j.samples.controlplane.LocalControlPlane;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The per-request cost of the OkHttp mesh path, measured the way a busy machine does not disturb: one calling thread,
 * the load benchmark's policy set and server, and the bytes that thread allocates per call (bare, through the mesh,
 * through the mesh with a Prometheus registry), plus the thread's CPU per call as a rougher second figure. Throughput
 * belongs to {@link LoadBenchmark} on a quiet machine; this is for finding and checking allocation on the hot path.
 *
 * <p>Arguments: {@code [calls per measured batch, default 20000] [batches, default 5]}. Prints the median batch of
 * each client. Run it under JFR ({@code -XX:StartFlightRecording}) to see where the bytes and the CPU go.
 *
 * <p>{@code -Dprobe.threads=N} (default 1) makes each batch N calling threads of {@code calls} calls each, and adds
 * the process's CPU per call: whether the mesh's own cost per call grows with the callers (something they contend
 * on) shows as a difference over bare that changes with N, on the calling threads' CPU, which the server's does not
 * blur.
 */
public final class RequestCostProbe {
  private static final String MESH_HOST = "catalog.shop.svc.cluster.local";

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int batches = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    byte[] body = "{\"id\":42,\"name\":\"espresso\"}".getBytes(StandardCharsets.UTF_8);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().add("content-type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    int callers = Integer.getInteger("probe.threads", 1);
    ExecutorService serverThreads = Executors.newFixedThreadPool(Math.max(2, callers));
    server.setExecutor(serverThreads);
    server.start();
    int port = server.getAddress().getPort();
    Path configDir = Files.createTempDirectory("mesh4j-cost");
    new PolicySetYaml(MESH_HOST, 8080, r -> "/api/v" + r + "/", "/admin/[a-z]+/[0-9]+", "5xx,reset,connect-failure",
        false).write(configDir, port);
    try (LocalControlPlane controlPlane = LocalControlPlane.start(configDir, 0);
        Mesh mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).build();
        Mesh metered = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson())
            .meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).build()) {
      // A connection per caller, kept: more callers than OkHttp's default 5 idle would measure new connections.
      OkHttpClient bare = new OkHttpClient.Builder()
          .connectionPool(new okhttp3.ConnectionPool(Math.max(5, 3 * callers), 5, java.util.concurrent.TimeUnit.MINUTES))
          .build();
      OkHttpClient meshed = mesh.okHttp(bare.newBuilder()).build();
      OkHttpClient meteredClient = metered.okHttp(bare.newBuilder()).build();
      Request direct = new Request.Builder().url("http://127.0.0.1:" + port + "/items/42")
          .header("accept", "application/json").build();
      Request viaMesh = new Request.Builder().url("http://" + MESH_HOST + ":8080/items/42")
          .header("accept", "application/json").build();
      // -Dprobe.clients=mesh (or bare, metered, a comma-separated list) runs only those: one client per JFR recording.
      String only = System.getProperty("probe.clients", "bare,mesh,metered");
      boolean runBare = only.contains("bare");
      boolean runMesh = only.contains("mesh");
      boolean runMetered = only.contains("metered");
      for (int warm = 0; warm < 3; warm++) {
        if (runBare) {
          batch(bare, direct, calls);
        }
        if (runMesh) {
          batch(meshed, viaMesh, calls);
        }
        if (runMetered) {
          batch(meteredClient, viaMesh, calls);
        }
      }
      double[][] bareCost = new double[batches][];
      double[][] meshCost = new double[batches][];
      double[][] meteredCost = new double[batches][];
      java.util.Map<Long, long[]> threadCpuBefore = threadCpu();
      for (int b = 0; b < batches; b++) {
        bareCost[b] = runBare ? batch(bare, direct, calls) : null;
        meshCost[b] = runMesh ? batch(meshed, viaMesh, calls) : null;
        meteredCost[b] = runMetered ? batch(meteredClient, viaMesh, calls) : null;
      }
      double[] bareMedian = runBare ? median(bareCost) : null;
      System.out.printf(Locale.ROOT, "%d calling thread(s)%n%-16s %14s %18s %19s%n", callers, "client", "B/request",
          "thread CPU µs/req", "process CPU µs/req");
      if (runBare) {
        print("bare", bareMedian, null);
      }
      if (runMesh) {
        print("mesh", median(meshCost), bareMedian);
      }
      if (runMetered) {
        print("mesh+metrics", median(meteredCost), bareMedian);
      }
      if (Boolean.getBoolean("probe.threadCpu")) {
        printThreadCpu(threadCpuBefore, (long) batches * calls * callers
            * ((runBare ? 1 : 0) + (runMesh ? 1 : 0) + (runMetered ? 1 : 0)));
      }
      bare.dispatcher().executorService().shutdown();
    } finally {
      server.stop(0);
      serverThreads.shutdown();
    }
  }

  /** CPU nanoseconds so far of every live thread, by thread id: {cpu}; names are read again when printing. */
  private static java.util.Map<Long, long[]> threadCpu() {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    java.util.Map<Long, long[]> cpu = new java.util.HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      cpu.put(id, new long[] {threads.getThreadCpuTime(id)});
    }
    return cpu;
  }

  /**
   * -Dprobe.threadCpu=true: the measured batches' CPU per call by thread group (the name without its number), every
   * client's calls together: where the process's CPU goes (callers, server, request timer, OkHttp's and Okio's own
   * threads, the benchmark's control plane).
   */
  private static void printThreadCpu(java.util.Map<Long, long[]> before, long calls) {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    java.util.Map<String, Long> byGroup = new java.util.TreeMap<>();
    for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long now = threads.getThreadCpuTime(info.getThreadId());
      long[] then = before.get(info.getThreadId());
      long used = now - (then == null ? 0 : then[0]);
      if (now >= 0 && used > 0) {
        byGroup.merge(info.getThreadName().replaceAll("[0-9]+", "#"), used, Long::sum);
      }
    }
    System.out.println("CPU per call by thread group (threads alive at the end):");
    byGroup.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(e -> System.out.printf(Locale.ROOT, "  %-40s %8.2f µs%n", e.getKey(), e.getValue() / 1e3 / calls));
  }

  private static void print(String name, double[] cost, double[] bare) {
    if (bare == null) {
      System.out.printf(Locale.ROOT, "%-16s %14.0f %18.2f %19.2f%n", name, cost[0], cost[1], cost[2]);
    } else {
      System.out.printf(Locale.ROOT, "%-16s %14.0f %18.2f %19.2f   (over bare: %+.0f B, %+.2f µs thread, %+.2f µs "
          + "process)%n", name, cost[0], cost[1], cost[2], cost[0] - bare[0], cost[1] - bare[1], cost[2] - bare[2]);
    }
  }

  /** {bytes per call, thread CPU µs per call, process CPU µs per call}: bytes of the median batch, CPU medians. */
  private static double[] median(double[][] batches) {
    if (Boolean.getBoolean("probe.verbose")) {
      StringBuilder all = new StringBuilder("  batches (B/request):");
      for (double[] batch : batches) {
        all.append(String.format(Locale.ROOT, " %.0f", batch[0]));
      }
      System.out.println(all);
    }
    double[][] sorted = batches.clone();
    java.util.Arrays.sort(sorted, (a, b) -> Double.compare(a[0], b[0]));
    double bytes = sorted[sorted.length / 2][0];
    double[] cpu = new double[batches.length];
    double[] process = new double[batches.length];
    for (int i = 0; i < batches.length; i++) {
      cpu[i] = batches[i][1];
      process[i] = batches[i][2];
    }
    java.util.Arrays.sort(cpu);
    java.util.Arrays.sort(process);
    return new double[] {bytes, cpu[cpu.length / 2], process[process.length / 2]};
  }

  /** One batch: {@code probe.threads} callers of {@code calls} calls each; {bytes, thread CPU µs, process CPU µs}. */
  private static double[] batch(OkHttpClient client, Request request, int calls) throws Exception {
    int callers = Integer.getInteger("probe.threads", 1);
    if (callers == 1) {
      long processBefore = ClosedLoopLoad.processCpuNanos();
      double[] one = callerBatch(client, request, calls);
      long process = ClosedLoopLoad.processCpuNanos() - processBefore;
      return new double[] {one[0], one[1], process / 1e3 / calls};
    }
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      java.util.List<java.util.concurrent.Future<double[]>> each = new java.util.ArrayList<>();
      long processBefore = ClosedLoopLoad.processCpuNanos();
      for (int t = 0; t < callers; t++) {
        each.add(pool.submit(() -> callerBatch(client, request, calls)));
      }
      double bytes = 0;
      double cpu = 0;
      for (java.util.concurrent.Future<double[]> f : each) {
        bytes += f.get()[0];
        cpu += f.get()[1];
      }
      long process = ClosedLoopLoad.processCpuNanos() - processBefore;
      return new double[] {bytes / callers, cpu / callers, process / 1e3 / calls / callers};
    } finally {
      pool.shutdown();
    }
  }

  private static double[] callerBatch(OkHttpClient client, Request request, int calls) throws IOException {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    // -Dprobe.distinctUrls=N: each call gets a new request for one of N paths (/items/0 ...), as an application
    // building its requests would; by default every call sends the same request, as LoadBenchmark does.
    int distinct = Integer.getInteger("probe.distinctUrls", 0);
    Request[] requests = new Request[Math.max(1, distinct)];
    for (int u = 0; u < requests.length; u++) {
      requests[u] = distinct == 0 ? request
          : request.newBuilder().url(request.url().newBuilder().encodedPath("/items/" + u).build()).build();
    }
    long bytesBefore = threads.getCurrentThreadAllocatedBytes();
    long cpuBefore = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < calls; i++) {
      Request call = distinct == 0 ? request
          : new Request.Builder().url(requests[i % distinct].url().toString()).header("accept", "application/json")
              .build();
      try (Response response = client.newCall(call).execute()) {
        response.body().bytes();
        if (response.code() != 200) {
          throw new IOException("unexpected status " + response.code());
        }
      }
    }
    long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
    long bytes = threads.getCurrentThreadAllocatedBytes() - bytesBefore;
    return new double[] {(double) bytes / calls, cpu / 1e3 / calls};
  }
}

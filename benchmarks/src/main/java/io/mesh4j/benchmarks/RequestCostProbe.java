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
    ExecutorService serverThreads = Executors.newFixedThreadPool(2);
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
      OkHttpClient bare = new OkHttpClient();
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
      for (int b = 0; b < batches; b++) {
        bareCost[b] = runBare ? batch(bare, direct, calls) : null;
        meshCost[b] = runMesh ? batch(meshed, viaMesh, calls) : null;
        meteredCost[b] = runMetered ? batch(meteredClient, viaMesh, calls) : null;
      }
      double[] bareMedian = runBare ? median(bareCost) : null;
      System.out.printf(Locale.ROOT, "%-16s %14s %18s%n", "client", "B/request", "thread CPU µs/req");
      if (runBare) {
        print("bare", bareMedian, null);
      }
      if (runMesh) {
        print("mesh", median(meshCost), bareMedian);
      }
      if (runMetered) {
        print("mesh+metrics", median(meteredCost), bareMedian);
      }
      bare.dispatcher().executorService().shutdown();
    } finally {
      server.stop(0);
      serverThreads.shutdown();
    }
  }

  private static void print(String name, double[] cost, double[] bare) {
    if (bare == null) {
      System.out.printf(Locale.ROOT, "%-16s %14.0f %18.2f%n", name, cost[0], cost[1]);
    } else {
      System.out.printf(Locale.ROOT, "%-16s %14.0f %18.2f   (over bare: %+.0f B, %+.2f µs)%n", name, cost[0],
          cost[1], cost[0] - bare[0], cost[1] - bare[1]);
    }
  }

  /** {bytes per call, thread CPU µs per call} of the batch whose bytes per call is the median. */
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
    for (int i = 0; i < batches.length; i++) {
      cpu[i] = batches[i][1];
    }
    java.util.Arrays.sort(cpu);
    return new double[] {bytes, cpu[cpu.length / 2]};
  }

  private static double[] batch(OkHttpClient client, Request request, int calls) throws IOException {
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

package io.mesh4j.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.mesh4j.Mesh;
import io.mesh4j.samples.controlplane.LocalControlPlane;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * End to end: the same OkHttp client calls a loopback HTTP server directly (bare) and through the mesh (a local
 * control plane, a realistic route table, EDS), in one run, phases interleaved so that drift hits both alike.
 * Prints a markdown report and writes it to the path given as first argument.
 *
 * <p>Arguments: {@code [report.md] [client threads, or a comma-separated list such as 4,8] [seconds per phase]
 * [rounds]}.
 */
public final class LoadBenchmark {
  private static final String MESH_HOST = "catalog.shop.svc.cluster.local";
  private static final PolicySetYaml POLICY_SET = new PolicySetYaml(MESH_HOST, 8080, r -> "/api/v" + r + "/",
      "/admin/[a-z]+/[0-9]+", "5xx,reset,connect-failure", false);

  public static void main(String[] args) throws Exception {
    Path report = Path.of(args.length > 0 ? args[0] : "benchmarks/REPORT-load.md");
    int[] threadCounts = threadCounts(args.length > 1 ? args[1] : "4");
    Duration phase = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 5);
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;

    HttpServer server = startServer(threadCounts);
    int serverPort = server.getAddress().getPort();
    Path configDir = Files.createTempDirectory("mesh4j-bench");
    POLICY_SET.write(configDir, serverPort);
    try (LocalControlPlane controlPlane = LocalControlPlane.start(configDir, 0);
        Mesh mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).build();
        // A second mesh, the same but recording Istio's metrics into a Prometheus registry.
        Mesh meteredMesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson())
            .meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).build()) {
      // Room for every caller's connection: OkHttp keeps 5 idle by default, and more threads than that would measure
      // connection churn (new TCP connections) rather than the request path.
      int maxThreads = Arrays.stream(threadCounts).max().orElse(4);
      OkHttpClient bare = new OkHttpClient.Builder()
          .connectionPool(new ConnectionPool(Math.max(5, maxThreads), 5, TimeUnit.MINUTES))
          .build();
      OkHttpClient meshed = mesh.okHttp(bare.newBuilder()).build();
      OkHttpClient metered = meteredMesh.okHttp(bare.newBuilder()).build();
      Request direct = new Request.Builder().url("http://127.0.0.1:" + serverPort + "/items/42")
          .header("accept", "application/json").build();
      Request viaMesh = new Request.Builder().url("http://" + MESH_HOST + ":8080/items/42")
          .header("accept", "application/json").build();

      StringBuilder markdown = new StringBuilder(header(threadCounts, phase, rounds));
      for (int threads : threadCounts) {
        // Warm both paths (JIT, connection pools, the mesh's first config fetch).
        for (int i = 0; i < 2; i++) {
          ClosedLoopLoad.run(bare, direct, threads, Duration.ofSeconds(2));
          ClosedLoopLoad.run(meshed, viaMesh, threads, Duration.ofSeconds(2));
          ClosedLoopLoad.run(metered, viaMesh, threads, Duration.ofSeconds(2));
        }

        PhaseResult bareTotal = PhaseResult.EMPTY;
        PhaseResult meshTotal = PhaseResult.EMPTY;
        PhaseResult meteredTotal = PhaseResult.EMPTY;
        // Alternate which client goes first, so that neither always runs right after the other's garbage.
        for (int round = 0; round < rounds; round++) {
          if (round % 2 == 0) {
            bareTotal = bareTotal.plus(ClosedLoopLoad.run(bare, direct, threads, phase));
            meshTotal = meshTotal.plus(ClosedLoopLoad.run(meshed, viaMesh, threads, phase));
            meteredTotal = meteredTotal.plus(ClosedLoopLoad.run(metered, viaMesh, threads, phase));
          } else {
            meteredTotal = meteredTotal.plus(ClosedLoopLoad.run(metered, viaMesh, threads, phase));
            meshTotal = meshTotal.plus(ClosedLoopLoad.run(meshed, viaMesh, threads, phase));
            bareTotal = bareTotal.plus(ClosedLoopLoad.run(bare, direct, threads, phase));
          }
        }
        markdown.append(rows(bareTotal, meshTotal, threads));
        markdown.append(row(meteredTotal, "OkHttp + mesh4j, metrics on (Prometheus registry), " + threads
            + " threads"));
        markdown.append(ratio(meteredTotal, bareTotal, "metrics on / bare, " + threads + " threads"));
      }
      System.out.println(markdown);
      Files.createDirectories(report.toAbsolutePath().getParent());
      Files.writeString(report, markdown.toString());
      bare.dispatcher().executorService().shutdown();
      bare.connectionPool().evictAll();
    } finally {
      server.stop(0);
      // The server's pool is not the server's to stop; its threads would keep a standalone run's JVM alive.
      ((ExecutorService) server.getExecutor()).shutdown();
    }
  }

  /** {@code "4"} or {@code "4,8"}: one measured series per client thread count, in that order. */
  private static int[] threadCounts(String list) {
    return Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
  }

  private static HttpServer startServer(int[] threadCounts) throws IOException {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs: 40 ms per request.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    byte[] body = "{\"id\":42,\"name\":\"espresso\"}".getBytes(StandardCharsets.UTF_8);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().add("content-type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    // As many server threads as the most client threads, so that the server does not cap the busiest series.
    server.setExecutor(Executors.newFixedThreadPool(Math.max(4, Arrays.stream(threadCounts).max().orElse(4))));
    server.start();
    return server;
  }


  private static String header(int[] threadCounts, Duration phase, int rounds) {
    StringBuilder md = new StringBuilder();
    md.append("### End-to-end load: OkHttp bare vs through the mesh\n\n");
    md.append(String.format(Locale.ROOT,
        "Run %s on %d cores, %s client threads, %d rounds of %d s per client (interleaved), loopback HTTP/1.1 server. "
            + "The mesh carries a 20-route table (header routes before the default), a route timeout and retry policy, "
            + "outlier detection, circuit breakers and an idle fault filter; every request arms and disarms its route "
            + "timeout on the request timer. CPU is the whole process's (the server runs in it too, doing the same "
            + "work for both clients) per request, allocation the calling threads' per request.%n%n",
        Instant.now().toString().substring(0, 19) + "Z", Runtime.getRuntime().availableProcessors(),
        Arrays.stream(threadCounts).mapToObj(Integer::toString).collect(Collectors.joining(" and ")), rounds,
        phase.toSeconds()));
    md.append("| client | requests | requests/s | p50 (µs) | p99 (µs) | CPU (µs/request) | allocated (B/request) |\n"
        + "|---|---:|---:|---:|---:|---:|---:|\n");
    return md.toString();
  }

  private static String row(PhaseResult t, String name) {
    return String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.1f | %.1f | %.0f |%n", name,
        t.sortedLatencies().length, t.throughput(), t.percentile(50), t.percentile(99), t.cpuMicrosPerCall(),
        t.bytesPerCall());
  }

  private static String rows(PhaseResult bare, PhaseResult mesh, int threads) {
    StringBuilder md = new StringBuilder();
    md.append(row(bare, "bare OkHttp, " + threads + " threads"));
    md.append(row(mesh, "OkHttp + mesh4j, " + threads + " threads"));
    md.append(ratio(mesh, bare, "mesh / bare, " + threads + " threads"));
    return md.toString();
  }

  private static String ratio(PhaseResult mesh, PhaseResult bare, String name) {
    return String.format(Locale.ROOT,
        "| **%s** | | **%.3f** | **%.3f** | **%.3f** | **%+.1f** | **%+.0f** |%n", name,
        mesh.throughput() / bare.throughput(), mesh.percentile(50) / bare.percentile(50),
        mesh.percentile(99) / bare.percentile(99), mesh.cpuMicrosPerCall() - bare.cpuMicrosPerCall(),
        mesh.bytesPerCall() - bare.bytesPerCall());
  }
}

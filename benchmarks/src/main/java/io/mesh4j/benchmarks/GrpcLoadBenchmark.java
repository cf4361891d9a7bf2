package io.mesh4j.benchmarks;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.mesh4j.Mesh;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.samples.controlplane.LocalControlPlane;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * gRPC end to end, unary calls on loopback in a closed loop, one run with the phases interleaved: a plain grpc-java
 * channel to the server's address (once as grpc-java configures it by default, once with its retries off: the mesh
 * decides retries itself), grpc-java's own {@code xds:///} channel (grpc-xds) and a {@link MeshGrpc} channel, both of
 * them fed the same xDS resources by one local control plane, the mesh once as it comes (its endpoint channels keep
 * grpc-java's transparent retry of a stream the server refused unprocessed, with no retry policy) and once with its
 * endpoint channels' retries off. The server runs in a JVM of its own, so that this process's CPU time is the
 * clients' alone. Throughput, latency and CPU per call are reported as ratios to the plain channel without retries.
 *
 * <p>Arguments: {@code [report.md] [threads] [seconds per phase] [rounds] [clients]}; {@code clients}, for profiling
 * one path, keeps only the clients whose name contains one of its comma-separated words (the first client kept is
 * the baseline of the ratios).
 */
public final class GrpcLoadBenchmark {
  private static final String HOST = "catalog.grpc.local";
  private static final int PORT = 9090;
  static final String TARGET = HOST + ":" + PORT;
  /** The OkHttp benchmark's policy set in the shape grpc-xds accepts (a weighted locality), on gRPC paths. */
  static final PolicySetYaml POLICY_SET = new PolicySetYaml(HOST, PORT, r -> "/bench.Echo/",
      "/admin\\\\.[A-Za-z]+/[A-Za-z]+", "unavailable,reset,connect-failure", true);
  private static final String XDS_BOOTSTRAP_PROPERTY = "io.grpc.xds.bootstrapConfig";
  private static final byte[] REQUEST = "{\"id\":42}".getBytes(StandardCharsets.UTF_8);
  private static final int ANSWER_LENGTH = 27;

  private GrpcLoadBenchmark() {}

  /** One client of the comparison. */
  private record Client(String name, ManagedChannel channel) {}

  public static void main(String[] args) throws Exception {
    Path report = Path.of(args.length > 0 ? args[0] : "benchmarks/REPORT-grpc.md");
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    Duration phase = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 5);
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    List<String> only = args.length > 4 ? List.of(args[4].split(",")) : List.of();

    Process server = startServer();
    List<Client> clients = new ArrayList<>();
    try {
      int serverPort = readPort(server);
      Path configDir = Files.createTempDirectory("mesh4j-grpc-bench");
      POLICY_SET.write(configDir, serverPort);
      try (LocalControlPlane controlPlane = LocalControlPlane.start(configDir, 0);
          Mesh mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).build()) {
        // grpc-xds reads its bootstrap once per JVM, when the first xds:/// channel resolves.
        System.setProperty(XDS_BOOTSTRAP_PROPERTY, controlPlane.bootstrapJson());
        clients.add(new Client("plain grpc-java, retries off",
            ManagedChannelBuilder.forAddress("127.0.0.1", serverPort).usePlaintext().disableRetry().build()));
        clients.add(new Client("plain grpc-java, default (retries on)",
            ManagedChannelBuilder.forAddress("127.0.0.1", serverPort).usePlaintext().build()));
        clients.add(new Client("grpc-java xds:///",
            Grpc.newChannelBuilder("xds:///" + TARGET, InsecureChannelCredentials.create()).build()));
        clients.add(new Client("MeshGrpc", MeshGrpc.newChannel(mesh, TARGET)));
        // What the endpoint channels' transparent retry (grpc-java's retries on, no policy) costs the mesh.
        clients.add(new Client("MeshGrpc, endpoint channels' retries off",
            MeshGrpc.newChannel(mesh, TARGET, ManagedChannelBuilder::disableRetry)));
        if (!only.isEmpty()) {
          clients.removeIf(client -> {
            boolean dropped = only.stream().noneMatch(client.name()::contains);
            if (dropped) {
              client.channel().shutdownNow();
            }
            return dropped;
          });
        }

        // Warm every path (JIT, connections, both xDS clients' first resources).
        for (int i = 0; i < 2; i++) {
          for (Client client : clients) {
            ClosedLoopLoad.run(() -> call(client.channel()), threads, Duration.ofSeconds(2));
          }
        }
        PhaseResult[] totals = new PhaseResult[clients.size()];
        java.util.Arrays.fill(totals, PhaseResult.EMPTY);
        // Each round starts with the next client, so that none always runs right after another's garbage.
        for (int round = 0; round < rounds; round++) {
          for (int k = 0; k < clients.size(); k++) {
            int i = (round + k) % clients.size();
            Client client = clients.get(i);
            totals[i] = totals[i].plus(ClosedLoopLoad.run(() -> call(client.channel()), threads, phase));
          }
        }
        String markdown = report(clients, totals, threads, phase, rounds);
        System.out.println(markdown);
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, markdown);
      } finally {
        for (Client client : clients) {
          client.channel().shutdownNow();
        }
        System.clearProperty(XDS_BOOTSTRAP_PROPERTY);
      }
    } finally {
      server.getOutputStream().close();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  static void call(ManagedChannel channel) {
    byte[] answer = ClientCalls.blockingUnaryCall(channel, EchoGrpcServer.CALL,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), REQUEST);
    if (answer.length != ANSWER_LENGTH) {
      throw new IllegalStateException("unexpected answer of " + answer.length + " bytes");
    }
  }

  static Process startServer() throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), EchoGrpcServer.class.getName())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  static int readPort(Process server) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null) {
      throw new IOException("the benchmark's gRPC server exited before telling its port");
    }
    return Integer.parseInt(line.trim());
  }


  private static String report(List<Client> clients, PhaseResult[] totals, int threads, Duration phase, int rounds) {
    StringBuilder md = new StringBuilder();
    md.append("### gRPC end to end: plain grpc-java vs grpc-java xDS vs MeshGrpc\n\n");
    md.append(String.format(Locale.ROOT,
        "Run %s on %d cores, %d client threads, %d rounds of %d s per client (interleaved), unary calls with a 10 s "
            + "deadline to a loopback grpc-java server in its own JVM. The xDS channels carry the OkHttp benchmark's "
            + "policy set (header and regex routes before the default route, route timeout and retry policy, outlier "
            + "detection, circuit breakers, an idle fault filter). Client CPU is this process's CPU time per call. "
            + "Allocation is what the calling threads allocated per call (blocking calls run their callbacks there). "
            + "Ratios are to the plain channel with retries off. The mesh's endpoint channels keep grpc-java's "
            + "transparent retry (retries on, no policy, so that a stream the server refused unprocessed goes again); "
            + "the last mesh row has them off, the like-for-like comparison with the baseline.%n%n",
        Instant.now().toString().substring(0, 19) + "Z", Runtime.getRuntime().availableProcessors(), threads, rounds,
        phase.toSeconds()));
    md.append("| client | calls | calls/s | p50 (µs) | p99 (µs) | client CPU (µs/call) | allocated (B/call) |\n"
        + "|---|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < clients.size(); i++) {
      PhaseResult t = totals[i];
      md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.1f | %.1f | %.0f |%n", clients.get(i).name(),
          t.sortedLatencies().length, t.throughput(), t.percentile(50), t.percentile(99), t.cpuMicrosPerCall(),
          t.bytesPerCall()));
    }
    PhaseResult base = totals[0];
    for (int i = 1; i < clients.size(); i++) {
      PhaseResult t = totals[i];
      md.append(String.format(Locale.ROOT,
          "| **%s / %s** | | **%.3f** | **%.3f** | **%.3f** | **%+.1f** | **%+.0f** |%n",
          clients.get(i).name(), clients.get(0).name(), t.throughput() / base.throughput(),
          t.percentile(50) / base.percentile(50), t.percentile(99) / base.percentile(99),
          t.cpuMicrosPerCall() - base.cpuMicrosPerCall(), t.bytesPerCall() - base.bytesPerCall()));
    }
    md.append("\nThe last two columns of a ratio row are differences: client CPU per call in µs, bytes allocated per call."
        + "\n");
    return md.toString();
  }
}

package io.mesh4j.benchmarks;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.mesh4j.Mesh;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.samples.controlplane.LocalControlPlane;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The per-call cost of the gRPC mesh path, {@link RequestCostProbe}'s counterpart: one calling thread making
 * {@link GrpcLoadBenchmark}'s unary call one after the other to its server (in a JVM of its own), through a plain
 * grpc-java channel with retries off (the baseline), the plain channel as grpc-java configures it by default, and
 * {@link MeshGrpc} with the load benchmark's policy set. Per call it reports the bytes the calling thread allocated,
 * the calling thread's CPU (routing and call set-up, and the callbacks a blocking call runs there) and the process's
 * CPU (the transport's event loop and the mesh's timer thread too). One thread and no contention, so the figures move
 * little on a busy machine; throughput belongs to {@link GrpcLoadBenchmark} on a quiet one.
 *
 * <p>Arguments: {@code [calls per measured batch, default 20000] [batches, default 7]}; {@code -Dprobe.clients=mesh}
 * (or {@code plain}, {@code retries}, {@code mesh-noretry}: MeshGrpc with its endpoint channels'
 * transparent retry off; comma-separated) runs only those, for one client per JFR recording. Prints the
 * median batch of each measure.
 */
public final class GrpcCostProbe {
  private GrpcCostProbe() {}

  private record Client(String name, ManagedChannel channel) {}

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int batches = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    List<String> only = List.of(System.getProperty("probe.clients", "plain,retries,mesh").split(","));
    Process server = GrpcLoadBenchmark.startServer();
    List<Client> clients = new ArrayList<>();
    try {
      int serverPort = GrpcLoadBenchmark.readPort(server);
      Path configDir = Files.createTempDirectory("mesh4j-grpc-cost");
      GrpcLoadBenchmark.POLICY_SET.write(configDir, serverPort);
      try (LocalControlPlane controlPlane = LocalControlPlane.start(configDir, 0);
          Mesh mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).build()) {
        if (only.contains("plain")) {
          clients.add(new Client("plain, retries off",
              ManagedChannelBuilder.forAddress("127.0.0.1", serverPort).usePlaintext().disableRetry().build()));
        }
        if (only.contains("retries")) {
          clients.add(new Client("plain, default",
              ManagedChannelBuilder.forAddress("127.0.0.1", serverPort).usePlaintext().build()));
        }
        if (only.contains("mesh")) {
          clients.add(new Client("MeshGrpc", MeshGrpc.newChannel(mesh, GrpcLoadBenchmark.TARGET)));
        }
        if (only.contains("mesh-noretry")) {
          clients.add(new Client("MeshGrpc, retries off",
              MeshGrpc.newChannel(mesh, GrpcLoadBenchmark.TARGET, ManagedChannelBuilder::disableRetry)));
        }
        for (int warm = 0; warm < 3; warm++) {
          for (Client client : clients) {
            batch(client.channel(), calls);
          }
        }
        double[][][] costs = new double[clients.size()][batches][];
        for (int b = 0; b < batches; b++) {
          for (int c = 0; c < clients.size(); c++) {
            costs[c][b] = batch(clients.get(c).channel(), calls);
          }
        }
        System.out.printf(Locale.ROOT, "%-20s %12s %20s %20s%n", "client", "B/call", "caller CPU µs/call",
            "process CPU µs/call");
        double[] base = null;
        for (int c = 0; c < clients.size(); c++) {
          double[] median = median(costs[c]);
          if (base == null) {
            base = median;
            System.out.printf(Locale.ROOT, "%-20s %12.0f %20.2f %20.2f%n", clients.get(c).name(), median[0],
                median[1], median[2]);
          } else {
            System.out.printf(Locale.ROOT, "%-20s %12.0f %20.2f %20.2f   (over %s: %+.0f B, %+.2f µs, %+.2f µs)%n",
                clients.get(c).name(), median[0], median[1], median[2], clients.get(0).name(),
                median[0] - base[0], median[1] - base[1], median[2] - base[2]);
          }
        }
      } finally {
        for (Client client : clients) {
          client.channel().shutdownNow();
        }
      }
    } finally {
      server.getOutputStream().close();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  /** Each measure's median over the batches (independently). */
  private static double[] median(double[][] batches) {
    double[] median = new double[batches[0].length];
    for (int m = 0; m < median.length; m++) {
      double[] values = new double[batches.length];
      for (int b = 0; b < batches.length; b++) {
        values[b] = batches[b][m];
      }
      Arrays.sort(values);
      median[m] = values[values.length / 2];
    }
    return median;
  }

  /** {bytes, caller CPU µs, process CPU µs} per call over {@code calls} calls. */
  private static double[] batch(ManagedChannel channel, int calls) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long bytesBefore = threads.getCurrentThreadAllocatedBytes();
    long cpuBefore = threads.getCurrentThreadCpuTime();
    long processBefore = ClosedLoopLoad.processCpuNanos();
    for (int i = 0; i < calls; i++) {
      GrpcLoadBenchmark.call(channel);
    }
    long process = ClosedLoopLoad.processCpuNanos() - processBefore;
    long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
    long bytes = threads.getCurrentThreadAllocatedBytes() - bytesBefore;
    return new double[] {(double) bytes / calls, cpu / 1e3 / calls, process / 1e3 / calls};
  }
}

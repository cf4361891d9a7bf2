package io.mesh4j.runtime.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * The rotation tests' shared part (OkHttp and gRPC): the workload's certificate rotated in Istio's agent files, read
 * by the mesh through {@code file_watcher}, while a {@link PacedLoad} runs. {@code -Dmesh4j.rotations=100} and
 * {@code -Dmesh4j.rotations.rate=200} are the full figures ({@code benchmarks/run.sh} runs them); CI runs
 * fewer rotations at a lower rate.
 */
public final class WorkloadCertificateRotations {
  public static final int ROTATIONS = Integer.getInteger("mesh4j.rotations", 10);
  /** Calls a second during the rotations. */
  public static final int RATE = Integer.getInteger("mesh4j.rotations.rate", 100);
  /** How often the mesh re-reads the files. */
  public static final String REFRESH_INTERVAL = "0.05s";

  private static final Duration WAIT = Duration.ofSeconds(30);

  private WorkloadCertificateRotations() {}

  /**
   * Rotates {@link #ROTATIONS} times: each rotation writes a new leaf for {@code spiffeId} from {@code issuer}, then a
   * half-written key (which must never replace good material), then the new leaf again, and waits until the server
   * saw the new certificate ({@code serverSerials}: serial numbers in hex) on a new connection; {@code nudge} runs
   * while waiting (e.g. evicts idle pooled connections and makes a call). Returns the serials issued, in order.
   */
  public static List<String> rotate(TestPki.Ca issuer, String spiffeId, X509Certificate root, Path certs,
      Supplier<Collection<String>> serverSerials, Runnable nudge) throws java.io.IOException, InterruptedException {
    List<String> issued = new ArrayList<>();
    for (int i = 0; i < ROTATIONS; i++) {
      TestPki.Leaf next = issuer.leaf(spiffeId);
      String serial = next.certificate().getSerialNumber().toString(16);
      issued.add(serial);
      next.writeIstioFiles(certs, root);
      Files.writeString(certs.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nMIIB");
      // Long enough for the watcher to read the half-written key at least once.
      Thread.sleep(60);
      next.writeIstioFiles(certs, root);
      await().atMost(WAIT).untilAsserted(() -> {
        nudge.run();
        assertThat(serverSerials.get()).contains(serial);
      });
    }
    return issued;
  }

  /** The figures for one run, for the benchmark report (see {@link ReliabilityFigures}). */
  public static void report(String transport, PacedLoad load, List<String> issued, long providerFailures) {
    ReliabilityFigures.titled("Workload certificate rotations under load over " + transport)
        .add("rotations", issued.size())
        .add("calls asked per second", RATE)
        .add("calls made per second", String.format(java.util.Locale.ROOT, "%.0f", load.achievedPerSecond()))
        .add("calls", load.calls())
        .add("failed calls", load.failures().size())
        .add("half-written keys refused by the provider", providerFailures)
        .write();
  }
}

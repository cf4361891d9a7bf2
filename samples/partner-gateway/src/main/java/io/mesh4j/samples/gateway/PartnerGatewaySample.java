package io.mesh4j.samples.gateway;

import io.mesh4j.MeshConfigurationException;
import io.mesh4j.samples.controlplane.ConfigLoadException;
import io.mesh4j.samples.controlplane.ConsoleLogging;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import okhttp3.OkHttpClient;

/**
 * {@code java -jar mesh4j-partner-gateway.jar [--serve] [--bench CALLS] [--config-dir DIR]}: starts the partner
 * gateway with its backends, IAP stand-in and local control plane, then shows allowed, denied and unauthenticated
 * partner calls ({@code --serve}: keeps serving afterwards, for curl; {@code --bench}: measures the gateway's added
 * latency against a direct call).
 */
public final class PartnerGatewaySample {
  static final String USAGE = "usage: mesh4j-partner-gateway [--serve] [--bench CALLS] [--config-dir DIR]";

  private PartnerGatewaySample() {}

  public static void main(String[] args) throws Exception {
    ConsoleLogging.configure();
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    boolean serve = false;
    int benchCalls = 0;
    Path configDir = null;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--serve" -> serve = true;
          case "--bench" -> benchCalls = Integer.parseInt(args[++i]);
          case "--config-dir" -> configDir = Path.of(args[++i]);
          case "--help", "-h" -> {
            out.println(USAGE);
            return;
          }
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
    } catch (RuntimeException e) {
      System.err.println(e.getMessage() == null ? e.toString() : e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }

    GatewaySetup setup;
    try {
      setup = GatewaySetup.start(GatewaySetup.Settings.defaults(configDir));
      setup.awaitReady(Duration.ofSeconds(30));
    } catch (ConfigLoadException e) {
      System.err.println("the gateway's configuration does not load: " + e.getMessage());
      System.exit(1);
      return;
    } catch (IOException e) {
      System.err.println("cannot start (it needs ports 18100-18104 on 127.0.0.1): " + e);
      System.exit(1);
      return;
    } catch (MeshConfigurationException e) {
      System.err.println("cannot start the mesh: " + e.getMessage());
      System.exit(1);
      return;
    }
    int exit = 0;
    try {
      printIntro(setup, out);
      OkHttpClient partner = new OkHttpClient();
      awaitKeys(setup, partner);
      int surprises = Walkthrough.run(Walkthrough.steps(setup.iap), partner, setup.gatewayUrl(), out);
      out.println(surprises == 0 ? "\nall answers as expected" : "\n" + surprises + " answers not as expected");
      exit = surprises == 0 ? 0 : 1;
      if (benchCalls > 0) {
        out.printf("%nbenchmark: GET /orders/bench, %d calls each way, one partner thread%n", benchCalls);
        GatewayBench.run(setup, Math.min(benchCalls, 5000), benchCalls, 500).print(out);
      }
      if (serve) {
        printCurl(setup, out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          setup.close();
          stopped.countDown();
        }, "partner-gateway-shutdown"));
        stopped.await();
        return;
      }
    } finally {
      if (!serve) {
        setup.close();
      }
    }
    System.exit(exit);
  }

  /** The first request after start may find the JWKS not fetched yet: wait for the keys, not a fixed time. */
  static void awaitKeys(GatewaySetup setup, OkHttpClient partner) throws IOException, InterruptedException {
    PartnerCall probe = new PartnerCall(Walkthrough.ACME, "GET", "/orders/warm-up",
        setup.iap.assertion(Walkthrough.ACME));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (probe.send(partner, setup.gatewayUrl()).status() != 200 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  private static void printIntro(GatewaySetup setup, PrintStream out) {
    out.printf("mesh4j partner gateway%n");
    out.printf("  control plane   127.0.0.1:%d serving %s%n", setup.controlPlane.port(),
        setup.controlPlane.configDir());
    out.printf("  gateway         %s  (jwt_authn: IAP ES256 assertions, then RBAC on their claims)%n",
        setup.gatewayUrl());
    out.printf("  orders          127.0.0.1:%d  (in the mesh)%n", setup.orders.port());
    out.printf("  ledger          127.0.0.1:%d  (on premises, HTTPS with a test CA; the mesh originates TLS)%n",
        setup.ledger.port());
    out.printf("  IAP keys        served on loopback, fetched by jwt_authn through the mesh%n%n");
  }

  private static void printCurl(GatewaySetup setup, PrintStream out) {
    out.printf("%nServing until Ctrl-C. Try (tokens valid ten minutes):%n");
    out.printf("  curl -i -H 'x-goog-iap-jwt-assertion: %s' %s/orders/42%n", setup.iap.assertion(Walkthrough.ACME),
        setup.gatewayUrl());
    out.printf("  curl -i -H 'x-goog-iap-jwt-assertion: %s' %s/ledger/balance%n",
        setup.iap.assertion(Walkthrough.GLOBEX), setup.gatewayUrl());
    out.printf("Edit the files in %s (e.g. the RBAC policies in gateway-listener.yaml) and save to change them live.%n",
        setup.controlPlane.configDir());
  }
}

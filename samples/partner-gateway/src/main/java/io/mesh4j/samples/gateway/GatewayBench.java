package io.mesh4j.samples.gateway;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The gateway's cost, closed loop: one partner thread alternates rounds of calls straight to the orders service and
 * through the gateway (IAP assertion verified, cached after the first; RBAC; the mesh's routing; one more loopback
 * hop each way), same request, same connection reuse, and compares the latency percentiles. Rounds alternate so a
 * busy machine slows both sides alike.
 */
final class GatewayBench {
  record Result(long[] directNanos, long[] gatewayNanos) {
    long percentile(long[] sorted, double p) {
      return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }

    void print(PrintStream out) {
      long[] direct = directNanos.clone();
      long[] gateway = gatewayNanos.clone();
      Arrays.sort(direct);
      Arrays.sort(gateway);
      out.printf("%-10s %8s %8s %8s   (microseconds, %d calls each)%n", "", "p50", "p90", "p99", direct.length);
      for (var row : new Object[][] {{"direct", direct}, {"gateway", gateway}}) {
        long[] sorted = (long[]) row[1];
        out.printf("%-10s %8d %8d %8d%n", row[0], percentile(sorted, 0.50) / 1000, percentile(sorted, 0.90) / 1000,
            percentile(sorted, 0.99) / 1000);
      }
      out.printf("added p50: %d us (goal: <= 1000 us)%n", addedP50Nanos() / 1000);
    }

    long addedP50Nanos() {
      long[] direct = directNanos.clone();
      long[] gateway = gatewayNanos.clone();
      Arrays.sort(direct);
      Arrays.sort(gateway);
      return percentile(gateway, 0.5) - percentile(direct, 0.5);
    }
  }

  private GatewayBench() {}

  static Result run(GatewaySetup setup, int warmup, int calls, int round) throws IOException {
    OkHttpClient partner = new OkHttpClient.Builder().connectionPool(new ConnectionPool())
        .readTimeout(Duration.ofSeconds(10)).build(); // a stuck call fails the bench instead of hanging it
    String assertion = setup.iap.assertion(Walkthrough.ACME);
    Request direct = new Request.Builder().url("http://127.0.0.1:" + setup.orders.port() + "/orders/bench")
        .header(PartnerCall.IAP_HEADER, assertion).build();
    Request viaGateway = new Request.Builder().url(setup.gatewayUrl() + "/orders/bench")
        .header(PartnerCall.IAP_HEADER, assertion).build();
    for (int i = 0; i < warmup; i++) {
      call(partner, direct);
      call(partner, viaGateway);
    }
    long[] directNanos = new long[calls];
    long[] gatewayNanos = new long[calls];
    for (int done = 0; done < calls; ) {
      int n = Math.min(round, calls - done);
      for (int i = 0; i < n; i++) {
        directNanos[done + i] = call(partner, direct);
      }
      for (int i = 0; i < n; i++) {
        gatewayNanos[done + i] = call(partner, viaGateway);
      }
      done += n;
    }
    partner.connectionPool().evictAll();
    return new Result(directNanos, gatewayNanos);
  }

  private static long call(OkHttpClient client, Request request) throws IOException {
    long start = System.nanoTime();
    try (Response response = client.newCall(request).execute()) {
      response.body().bytes();
      if (response.code() != 200) {
        throw new IOException(request.url() + " answered " + response.code());
      }
    } catch (IOException e) {
      throw new IOException("bench call to " + request.url() + " failed", e);
    }
    return System.nanoTime() - start;
  }
}

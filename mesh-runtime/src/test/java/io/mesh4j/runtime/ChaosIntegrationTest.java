package io.mesh4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.Mesh;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.runtime.testing.BehavingHttpServer;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.RecordedCalls;
import io.mesh4j.runtime.testing.UpstreamChaos;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstreams failing under OkHttp load ({@link UpstreamChaos}): of ten endpoints three answer every request with 503
 * and one accepts connections and never answers. With Istio's default retry policy, a per-try timeout and outlier
 * detection, at least 99.5% of the requests succeed and their p99 is within the route timeout.
 * {@code GrpcChaosIntegrationTest} is the same over gRPC.
 */
class ChaosIntegrationTest {
  private static final String TARGET = "catalog.mesh:8080";

  private final List<BehavingHttpServer> servers = new ArrayList<>();
  private final List<BehavingHttpServer> failing = new ArrayList<>();
  private BehavingHttpServer blackHole;
  private LoopbackControlPlane controlPlane;
  private Mesh mesh;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    for (int i = 0; i < UpstreamChaos.HEALTHY; i++) {
      servers.add(BehavingHttpServer.start("ok-" + i, "ok"));
    }
    for (int i = 0; i < UpstreamChaos.FAILING; i++) {
      failing.add(BehavingHttpServer.start("failing-" + i, "status-503"));
    }
    servers.addAll(failing);
    blackHole = BehavingHttpServer.start("black-hole", "stall-3600000");
    servers.add(blackHole);
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    controlPlane.close();
    servers.forEach(BehavingHttpServer::close);
  }

  @Test
  void withIstiosRetriesAndOutlierDetectionAtLeast995PerMilleSucceedWithinTheRouteTimeout() throws Exception {
    UpstreamChaos.serve(controlPlane, TARGET, servers.stream().map(BehavingHttpServer::hostPort).toList());
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(java.time.Duration.ofSeconds(30))
        .outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY).build();
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();

    RecordedCalls calls = RecordedCalls.run(UpstreamChaos.CALLERS, UpstreamChaos.REQUESTS, () -> call(client));

    UpstreamChaos.assertMostSucceedWithinTheRouteTimeout(calls, "200",
        "Chaos over OkHttp: 3 of 10 endpoints 503, 1 black-holed, Istio's default retries, outlier detection");
    // The failing endpoints and the black hole were tried: the figure is not that of a healthy cluster.
    assertThat(failing.stream().mapToInt(BehavingHttpServer::requests).sum()).isPositive();
    assertThat(blackHole.requests()).isPositive();
  }

  private static String call(OkHttpClient client) {
    try (Response response = client.newCall(new Request.Builder().url("http://" + TARGET + "/items").build())
        .execute()) {
      response.body().string();
      return Integer.toString(response.code());
    } catch (IOException e) {
      return e.getClass().getSimpleName();
    }
  }
}

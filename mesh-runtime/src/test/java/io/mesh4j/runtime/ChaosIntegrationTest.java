package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.mesh4j.Mesh;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.runtime.testing.BehavingHttpServer;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstreams failing under load: of ten endpoints three answer every request with 503 (30% of the responses before
 * outlier detection ejects them) and one accepts connections and never answers. Istio's default retry policy
 * ({@code connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes}, 503, two retries, previous
 * hosts) with a per-try timeout, and outlier detection: at least 99.5% of the requests succeed.
 */
class ChaosIntegrationTest {
  private static final String TARGET = "catalog.mesh:8080";
  private static final int REQUESTS = Integer.getInteger("mesh4j.chaos.requests", 1000);
  private static final int CALLERS = 4;

  private final List<BehavingHttpServer> servers = new ArrayList<>();
  private LoopbackControlPlane controlPlane;
  private Mesh mesh;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    for (int i = 0; i < 6; i++) {
      servers.add(BehavingHttpServer.start("ok-" + i, "ok"));
    }
    for (int i = 0; i < 3; i++) {
      servers.add(BehavingHttpServer.start("failing-" + i, "status-503"));
    }
    servers.add(BehavingHttpServer.start("black-hole", "stall-3600000"));
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    controlPlane.close();
    servers.forEach(BehavingHttpServer::close);
  }

  private static Duration ms(long millis) {
    return Duration.newBuilder().setSeconds(millis / 1000).setNanos((int) (millis % 1000) * 1_000_000).build();
  }

  @Test
  void withIstiosRetriesAndOutlierDetectionAtLeast995PerMilleSucceed() throws Exception {
    RetryPolicy retries = RetryPolicy.newBuilder()
        .setRetryOn("connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes")
        .addRetriableStatusCodes(503)
        .setNumRetries(UInt32Value.of(2))
        .setPerTryTimeout(ms(500))
        .addRetryHostPredicate(RetryPolicy.RetryHostPredicate.newBuilder()
            .setName("envoy.retry_host_predicates.previous_hosts"))
        .setHostSelectionRetryMaxAttempts(5)
        .build();
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("catalog").addDomains(TARGET).addRoutes(Route.newBuilder()
            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRoute(RouteAction.newBuilder().setCluster("catalog").setTimeout(ms(5000))
                .setRetryPolicy(retries))))
        .build();
    Cluster cluster = edsCluster("catalog").toBuilder().setOutlierDetection(OutlierDetection.newBuilder()
        .setConsecutive5Xx(UInt32Value.of(3))
        .setConsecutiveGatewayFailure(UInt32Value.of(1))
        .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(100))
        .setInterval(ms(1000))
        .setBaseEjectionTime(ms(60_000))
        .setMaxEjectionPercent(UInt32Value.of(50)))
        .build();
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "routes")), List.of(routes), List.of(cluster),
        List.of(cla("catalog", servers.stream().map(BehavingHttpServer::hostPort).toArray(String[]::new))));
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(java.time.Duration.ofSeconds(30))
        .outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY).build();
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();

    Map<String, Integer> outcomes = new ConcurrentHashMap<>();
    ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < CALLERS; c++) {
        done.add(callers.submit(() -> {
          for (int i = 0; i < REQUESTS / CALLERS; i++) {
            outcomes.merge(call(client), 1, Integer::sum);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      callers.shutdownNow();
    }
    int succeeded = outcomes.getOrDefault("200", 0);
    int total = outcomes.values().stream().mapToInt(Integer::intValue).sum();
    assertThat(total).isEqualTo(REQUESTS / CALLERS * CALLERS);
    assertThat(succeeded * 1000L).as("outcomes %s", outcomes).isGreaterThanOrEqualTo(995L * total);
    // The failing endpoints and the black hole were tried: the figure is not that of a healthy cluster.
    assertThat(servers.get(6).requests() + servers.get(7).requests() + servers.get(8).requests()).isPositive();
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

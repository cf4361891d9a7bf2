package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.rdsHcm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.mesh4j.Mesh;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.runtime.testing.BehavingHttpServer;
import io.mesh4j.runtime.testing.ControllableHttpServer;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Timeouts, retries, circuit breakers and outlier detection end to end: a real control plane, OkHttp, and real
 * servers that fail, stall or reset on command. Wall-clock bounds are generous (seconds against sub-second
 * timeouts) since real sockets are involved.
 */
class ResilienceIntegrationTest {
  private static final String TARGET = "catalog.mesh:8080";
  private static final String URL = "http://" + TARGET + "/items";
  private static final java.time.Duration WAIT = java.time.Duration.ofSeconds(10);
  private static final AtomicInteger IDS = new AtomicInteger();

  private LoopbackControlPlane controlPlane;
  private final List<BehavingHttpServer> servers = new ArrayList<>();
  private Mesh mesh;
  private OkHttpClient client;
  private int firstEndpointWeight = 1;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    controlPlane.close();
    servers.forEach(BehavingHttpServer::close);
  }

  private BehavingHttpServer server(String name, String defaultBehavior) {
    BehavingHttpServer server = BehavingHttpServer.start(name, defaultBehavior);
    servers.add(server);
    return server;
  }

  private static Duration ms(long millis) {
    return Duration.newBuilder().setSeconds(millis / 1000).setNanos((int) (millis % 1000) * 1_000_000).build();
  }

  /** Serves one route to cluster "catalog" over the given servers, then starts the mesh. */
  private void serve(RouteAction.Builder action, VirtualHost.Builder host, Cluster.Builder cluster, Listener listener,
      BehavingHttpServer... endpoints) {
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("catalog-routes")
        .addVirtualHosts(host.setName("catalog").addDomains(TARGET).addRoutes(Route.newBuilder()
            .setMatch(RouteMatch.newBuilder().setPrefix("/")).setRoute(action.setCluster("catalog"))))
        .build();
    String[] hostPorts = new String[endpoints.length];
    for (int i = 0; i < endpoints.length; i++) {
      hostPorts[i] = endpoints[i].hostPort();
    }
    ClusterLoadAssignment assignment = cla("catalog", hostPorts);
    if (firstEndpointWeight > 1) {
      ClusterLoadAssignment.Builder weighted = assignment.toBuilder();
      weighted.getEndpointsBuilder(0).getLbEndpointsBuilder(0)
          .setLoadBalancingWeight(UInt32Value.of(firstEndpointWeight));
      assignment = weighted.build();
    }
    controlPlane.setSnapshot("1", List.of(listener), List.of(routes), List.of(cluster.build()), List.of(assignment));
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT)
        .outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY).build();
    client = mesh.okHttp(new OkHttpClient.Builder()).build();
  }

  private void serve(RouteAction.Builder action, BehavingHttpServer... endpoints) {
    serve(action, VirtualHost.newBuilder(), edsCluster("catalog").toBuilder(), apiListener(TARGET, "catalog-routes"),
        endpoints);
  }

  private static RetryPolicy.Builder retry(String on, int retries) {
    return RetryPolicy.newBuilder().setRetryOn(on).setNumRetries(UInt32Value.of(retries))
        .setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(ms(1)));
  }

  private static Request.Builder request(String behavior) {
    return new Request.Builder().url(URL).header("x-test-behavior", behavior)
        .header("x-test-id", "r" + IDS.incrementAndGet());
  }

  private Response call(Request.Builder request) throws IOException {
    return client.newCall(request.build()).execute();
  }

  @Test
  void aFailingRequestIsRetriedUntilItSucceedsAndCarriesTheAttemptCount() throws IOException {
    BehavingHttpServer s = server("s", "ok");
    serve(RouteAction.newBuilder().setRetryPolicy(retry("5xx", 2)),
        VirtualHost.newBuilder().setIncludeRequestAttemptCount(true), edsCluster("catalog").toBuilder(),
        apiListener(TARGET, "catalog-routes"), s);
    try (Response response = call(request("succeed-on-attempt-3"))) {
      assertThat(response.code()).isEqualTo(200);
    }
    assertThat(s.requests()).isEqualTo(3);
    assertThat(s.received()).extracting(h -> h.get("x-envoy-attempt-count")).containsExactly("1", "2", "3");
    assertThat(s.received()).extracting(h -> h.get("host")).containsOnly(TARGET);
  }

  @Test
  void exhaustedRetriesReturnTheLastResponseAndUnsetNumRetriesMeansOne() throws IOException {
    BehavingHttpServer s = server("s", "ok");
    serve(RouteAction.newBuilder().setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("gateway-error")), s);
    try (Response response = call(request("status-503"))) {
      assertThat(response.code()).isEqualTo(503);
    }
    assertThat(s.requests()).isEqualTo(2);
    assertThat(s.received()).extracting(h -> h.get("x-envoy-attempt-count")).containsOnlyNulls();
    try (Response response = call(request("status-500"))) { // not a gateway error
      assertThat(response.code()).isEqualTo(500);
    }
    assertThat(s.requests()).isEqualTo(3);
  }

  @Test
  void noRetryPolicyMeansNoRetry() throws IOException {
    BehavingHttpServer s = server("s", "ok");
    serve(RouteAction.newBuilder(), s);
    try (Response response = call(request("status-503"))) {
      assertThat(response.code()).isEqualTo(503);
    }
    assertThat(s.requests()).isEqualTo(1);
  }

  @Test
  void unavailableRetriesAnHttp503CarryingGrpcStatus14() throws IOException {
    // Envoy reads grpc-status from the response headers of any request, not only application/grpc ones.
    BehavingHttpServer s = server("s", "ok");
    serve(RouteAction.newBuilder().setRetryPolicy(retry("unavailable", 4)), s);
    try (Response response = call(request("until-attempt-4:status-503-grpc-14"))) {
      assertThat(response.code()).isEqualTo(200);
    }
    assertThat(s.requests()).isEqualTo(4);

    try (Response response = call(request("status-503-grpc-8"))) { // resource-exhausted is not asked for
      assertThat(response.code()).isEqualTo(503);
    }
    try (Response response = call(request("status-503"))) { // a bare 503 is not a gRPC condition
      assertThat(response.code()).isEqualTo(503);
    }
    assertThat(s.requests()).isEqualTo(6);
  }

  @Test
  void previousHostsSendsTheRetryToTheOtherEndpoint() throws IOException {
    BehavingHttpServer bad = server("bad", "status-503");
    BehavingHttpServer good = server("good", "ok");
    RetryPolicy.RetryHostPredicate previous = RetryPolicy.RetryHostPredicate.newBuilder()
        .setName("envoy.retry_host_predicates.previous_hosts").build();
    // Weight 20 to the bad endpoint: without the predicate, round robin would hand the retry to it again. Within
    // one weight cycle (21 picks) the good one comes up, so 30 selections are enough.
    firstEndpointWeight = 20;
    serve(RouteAction.newBuilder().setRetryPolicy(retry("5xx", 1).addRetryHostPredicate(previous)
        .setHostSelectionRetryMaxAttempts(30)), bad, good);
    for (int i = 0; i < 6; i++) {
      try (Response response = call(new Request.Builder().url(URL))) {
        assertThat(response.code()).isEqualTo(200);
        assertThat(response.header("x-served-by")).isEqualTo("good");
      }
    }
    assertThat(good.requests()).isEqualTo(6);
  }

  @Test
  void aResetIsRetriedUnderReset() throws IOException {
    BehavingHttpServer s = server("s", "ok");
    serve(RouteAction.newBuilder().setRetryPolicy(retry("reset", 1)), s);
    try (Response response = call(request("until-attempt-2:reset"))) {
      assertThat(response.code()).isEqualTo(200);
    }
    assertThat(s.requests()).isEqualTo(2);
  }

  @Test
  void aOneShotBodyIsNotRetriedAndTheFailureSaysWhy() {
    BehavingHttpServer s = server("s", "ok");
    serve(RouteAction.newBuilder().setRetryPolicy(retry("reset", 3)), s);
    RequestBody oneShot = new RequestBody() {
      @Override
      public MediaType contentType() {
        return MediaType.get("text/plain");
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        sink.writeUtf8("once");
      }

      @Override
      public boolean isOneShot() {
        return true;
      }
    };
    assertThatThrownBy(() -> call(request("reset").post(oneShot)))
        .isInstanceOf(IOException.class)
        .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
            .contains("not retried: the request body is one-shot and cannot be sent again"));
    assertThat(s.requests()).isEqualTo(1);
  }

  @Test
  void aPerTryTimeoutRetriesAStalledAttempt() throws IOException {
    BehavingHttpServer s = server("s", "ok");
    serve(RouteAction.newBuilder().setRetryPolicy(retry("5xx", 1).setPerTryTimeout(ms(300))), s);
    long start = System.nanoTime();
    try (Response response = call(request("until-attempt-2:stall-5000"))) {
      assertThat(response.code()).isEqualTo(200);
    }
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(4));
    assertThat(s.requests()).isEqualTo(2);
  }

  @Test
  void theLastPerTryTimeoutIsAnUpstreamTimeout() {
    BehavingHttpServer s = server("s", "ok");
    serve(RouteAction.newBuilder().setRetryPolicy(retry("connect-failure", 1).setPerTryTimeout(ms(300))), s);
    assertThatThrownBy(() -> call(request("stall-5000")))
        .isInstanceOfSatisfying(MeshRoutingException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UPSTREAM_TIMEOUT));
  }

  @Test
  void theRouteTimeoutFailsAStalledCallWith504Ut() {
    BehavingHttpServer s = server("s", "ok");
    serve(RouteAction.newBuilder().setTimeout(ms(400)), s);
    long start = System.nanoTime();
    assertThatThrownBy(() -> call(request("stall-5000")))
        .isInstanceOfSatisfying(MeshRoutingException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.UPSTREAM_TIMEOUT);
          assertThat(e.reason().httpStatus()).isEqualTo(504);
          assertThat(e.reason().responseFlag()).isEqualTo("UT");
        });
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(4));
  }

  @Test
  void theRouteTimeoutCoversTheStreamingBody() throws IOException {
    BehavingHttpServer s = server("s", "ok");
    serve(RouteAction.newBuilder().setTimeout(ms(700)), s);
    try (Response response = call(request("body-stall-5000"))) {
      assertThat(response.code()).isEqualTo(200);
      assertThatThrownBy(() -> response.body().string())
          .isInstanceOfSatisfying(MeshRoutingException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.UPSTREAM_TIMEOUT));
    }
    // A body that completes in time is not cut.
    try (Response response = call(request("ok"))) {
      assertThat(response.body().string()).isEqualTo("s");
    }
  }

  @Test
  void theListenersMaxStreamDurationAppliesWhenTheRouteTimeoutIsDisabled() {
    BehavingHttpServer s = server("s", "ok");
    Listener listener = apiListener(TARGET, rdsHcm("catalog-routes").toBuilder()
        .setCommonHttpProtocolOptions(HttpProtocolOptions.newBuilder().setMaxStreamDuration(ms(400))).build());
    serve(RouteAction.newBuilder().setTimeout(ms(0)), VirtualHost.newBuilder(), edsCluster("catalog").toBuilder(),
        listener, s);
    assertThatThrownBy(() -> call(request("stall-5000")))
        .isInstanceOfSatisfying(MeshRoutingException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UPSTREAM_TIMEOUT));
  }

  @Test
  void maxRequestsOverflowFailsFastWithUo() throws Exception {
    BehavingHttpServer s = server("s", "ok");
    Cluster.Builder cluster = edsCluster("catalog").toBuilder().setCircuitBreakers(CircuitBreakers.newBuilder()
        .addThresholds(CircuitBreakers.Thresholds.newBuilder().setMaxRequests(UInt32Value.of(1))));
    serve(RouteAction.newBuilder(), VirtualHost.newBuilder(), cluster, apiListener(TARGET, "catalog-routes"), s);
    CompletableFuture<Integer> slow = CompletableFuture.supplyAsync(() -> {
      try (Response response = call(request("stall-1500"))) {
        return response.code();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    await().atMost(WAIT).until(() -> s.requests() == 1);
    long start = System.nanoTime();
    assertThatThrownBy(() -> call(request("ok")))
        .isInstanceOfSatisfying(MeshRoutingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OVERFLOW));
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(1));
    assertThat(slow.get()).isEqualTo(200);
    try (Response response = call(request("ok"))) {
      assertThat(response.code()).isEqualTo(200);
    }
  }

  /**
   * A max_requests overflow at the first attempt releases the endpoint the engine picked: least-request picks after
   * a burst of overflows are as even as before. (A leaked hold would count as an active request forever: with
   * choice_count 20 over two endpoints, every later pick would avoid the endpoint the overflows landed on.)
   */
  @Test
  void aBreakerOverflowAtTheFirstAttemptReleasesTheEndpointPick() throws Exception {
    ControllableHttpServer a = ControllableHttpServer.start("a");
    ControllableHttpServer b = ControllableHttpServer.start("b");
    try {
      Cluster.Builder cluster = edsCluster("catalog").toBuilder().setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)
          .setLeastRequestLbConfig(Cluster.LeastRequestLbConfig.newBuilder().setChoiceCount(UInt32Value.of(20)))
          .setCircuitBreakers(CircuitBreakers.newBuilder()
              .addThresholds(CircuitBreakers.Thresholds.newBuilder().setMaxRequests(UInt32Value.of(1))));
      RouteConfiguration routes = RouteConfiguration.newBuilder().setName("catalog-routes")
          .addVirtualHosts(VirtualHost.newBuilder().setName("catalog").addDomains(TARGET).addRoutes(Route.newBuilder()
              .setMatch(RouteMatch.newBuilder().setPrefix("/")).setRoute(RouteAction.newBuilder().setCluster("catalog"))))
          .build();
      controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "catalog-routes")), List.of(routes),
          List.of(cluster.build()), List.of(cla("catalog", a.hostPort(), b.hostPort())));
      mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT).build();
      client = mesh.okHttp(new OkHttpClient.Builder()).build();

      a.stall();
      b.stall();
      CompletableFuture<Integer> held = CompletableFuture.supplyAsync(() -> {
        try (Response response = call(new Request.Builder().url(URL))) {
          return response.code();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      await().atMost(WAIT).until(() -> a.arrivals() + b.arrivals() == 1);
      for (int i = 0; i < 10; i++) {
        assertThatThrownBy(() -> call(new Request.Builder().url(URL)).close())
            .isInstanceOfSatisfying(MeshRoutingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OVERFLOW));
      }
      a.release();
      b.release();
      assertThat(held.get()).isEqualTo(200);

      int before = a.arrivals() + b.arrivals();
      for (int i = 0; i < 40; i++) {
        call(new Request.Builder().url(URL)).close();
      }
      assertThat(a.arrivals() + b.arrivals()).isEqualTo(before + 40);
      // With both endpoints idle, ties go to the first drawn: all 40 on one endpoint has probability 2^-39.
      assertThat(a.arrivals()).isGreaterThan(0);
      assertThat(b.arrivals()).isGreaterThan(0);
      assertThat(Math.min(a.arrivals(), b.arrivals())).isGreaterThan(1);
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void consecutive5xxEjectsAnEndpointUntilTrafficGoesOnlyToTheOther() throws IOException {
    BehavingHttpServer bad = server("bad", "status-500");
    BehavingHttpServer good = server("good", "ok");
    Cluster.Builder cluster = edsCluster("catalog").toBuilder().setOutlierDetection(OutlierDetection.newBuilder()
        .setConsecutive5Xx(UInt32Value.of(2)).setMaxEjectionPercent(UInt32Value.of(50)));
    serve(RouteAction.newBuilder(), VirtualHost.newBuilder(), cluster, apiListener(TARGET, "catalog-routes"),
        bad, good);
    List<String> servedBy = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      try (Response response = call(new Request.Builder().url(URL))) {
        servedBy.add(response.header("x-served-by"));
      }
    }
    assertThat(bad.requests()).isEqualTo(2);
    assertThat(servedBy.subList(6, 12)).containsOnly("good");
  }
}

package io.mesh4j.samples.interop;

import static io.mesh4j.samples.interop.FaultInjectionScenario.inFlight;
import static io.mesh4j.samples.interop.FaultInjectionScenario.results;
import static io.mesh4j.samples.interop.FaultInjectionScenario.runCase;
import static io.mesh4j.samples.interop.FaultInjectionScenario.since;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.samples.interop.InteropHarness.prefixTo;
import static io.mesh4j.samples.interop.InteropHarness.routes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import com.google.protobuf.Any;
import io.envoyproxy.envoy.admin.v3.ClientResourceStatus;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.service.status.v3.ClientConfig.GenericXdsConfig;
import io.envoyproxy.envoy.service.status.v3.ClientStatusDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.status.v3.ClientStatusRequest;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.grpc.Status;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.samples.interop.proto.ClientConfigureRequest;
import io.mesh4j.samples.interop.proto.LoadBalancerAccumulatedStatsResponse;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gRPC's xDS interop scenarios ({@code doc/xds-test-descriptions.md}) against this library's interop client and
 * server, with a local control plane, over both transports. Sample sizes are small to keep CI fast; each tolerance
 * is derived from its sample size in a comment.
 */
class InteropScenariosTest {
  private static final String TEST_SERVICE = "/grpc.testing.TestService/";

  /** ping_pong: one backend answers every RPC. */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void pingPong(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 1)) {
      h.serveOneCluster("1", "cluster-a", 0);
      h.startClient("UnaryCall,EmptyCall", "");
      LoadBalancerStatsResponse stats = h.awaitAllTo("backend-0", 40);
      assertThat(stats.getNumFailures()).isZero();
      assertThat(stats.getRpcsByMethodMap()).containsOnlyKeys("UnaryCall", "EmptyCall");

      LoadBalancerAccumulatedStatsResponse accumulated = h.accumulated();
      LoadBalancerAccumulatedStatsResponse.MethodStats unary = accumulated.getStatsPerMethodOrThrow("UNARY_CALL");
      assertThat(unary.getRpcsStarted()).isGreaterThanOrEqualTo(20);
      assertThat(unary.getResultOrDefault(Status.Code.OK.value(), 0)).isGreaterThanOrEqualTo(20);
    }
  }

  /** round_robin: three equal backends share the RPCs evenly. */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void roundRobin(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 3)) {
      h.serveOneCluster("1", "cluster-a", 0, 1, 2);
      h.startClient("UnaryCall", "");
      h.stats(10); // warm up: the first RPCs wait for the config
      LoadBalancerStatsResponse stats = h.stats(60);
      // Round robin over equal weights is deterministic up to where the sample starts: 20 each, +-1.
      assertThat(stats.getRpcsByPeerMap()).containsOnlyKeys("backend-0", "backend-1", "backend-2");
      stats.getRpcsByPeerMap().values().forEach(count -> assertThat(count).isBetween(19, 21));
    }
  }

  /** backends_restart: when every backend is down RPCs fail; when they return, traffic does too. */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void backendsRestart(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 2)) {
      h.serveOneCluster("1", "cluster-a", 0, 1);
      h.startClient("UnaryCall", "");
      h.stats(10);
      assertThat(h.stats(20).getNumFailures()).isZero();

      h.stopBackend(0);
      h.stopBackend(1);
      await().atMost(Duration.ofSeconds(30)).until(() -> h.stats(20).getNumFailures() == 20);

      h.restartBackend(0);
      h.restartBackend(1);
      await().atMost(Duration.ofSeconds(20)).until(() -> h.stats(20).getNumFailures() == 0);
      // Each endpoint comes back when its own connect probe succeeds (gRPC's connection back-off, jittered), so
      // one may return a little after the other.
      await().atMost(Duration.ofSeconds(20)).until(() -> h.stats(40).getRpcsByPeerMap().keySet()
          .equals(java.util.Set.of("backend-0", "backend-1")));
    }
  }

  /** change_backend_service: the route moves to another cluster and all traffic follows. */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void changeBackendService(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 2)) {
      List<ClusterLoadAssignment> clas = List.of(h.cla("cluster-a", new int[] {0}), h.cla("cluster-b", new int[] {1}));
      h.serve("1", routes(prefixTo("/", "cluster-a")), List.of(edsCluster("cluster-a"), edsCluster("cluster-b")), clas);
      h.startClient("UnaryCall", "");
      h.awaitAllTo("backend-0", 20);

      h.serve("2", routes(prefixTo("/", "cluster-b")), List.of(edsCluster("cluster-a"), edsCluster("cluster-b")), clas);
      LoadBalancerStatsResponse moved = h.awaitAllTo("backend-1", 20);
      assertThat(moved.getNumFailures()).isZero();
    }
  }

  /** traffic_splitting: weighted clusters 80/20. */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void trafficSplitting(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 2)) {
      Route split = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
          .setRoute(RouteAction.newBuilder().setWeightedClusters(WeightedCluster.newBuilder()
              .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("cluster-a").setWeight(UInt32Value.of(80)))
              .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("cluster-b").setWeight(UInt32Value.of(20)))))
          .build();
      h.serve("1", routes(split), List.of(edsCluster("cluster-a"), edsCluster("cluster-b")),
          List.of(h.cla("cluster-a", new int[] {0}), h.cla("cluster-b", new int[] {1})));
      h.startClient("UnaryCall", "");
      h.stats(10);
      LoadBalancerStatsResponse stats = h.stats(200);
      // Binomial(200, 0.8): mean 160, sd 5.7; +-5 sd keeps a false failure below 1e-6.
      assertThat(stats.getRpcsByPeerOrDefault("backend-0", 0)).isBetween(132, 188);
      assertThat(stats.getRpcsByPeerOrDefault("backend-0", 0) + stats.getRpcsByPeerOrDefault("backend-1", 0))
          .isEqualTo(200);
    }
  }

  /** path_matching: EmptyCall goes to one cluster by path, UnaryCall to the other. */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void pathMatching(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 2)) {
      Route empty = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPath(TEST_SERVICE + "EmptyCall"))
          .setRoute(RouteAction.newBuilder().setCluster("cluster-b")).build();
      h.serve("1", routes(empty, prefixTo(TEST_SERVICE, "cluster-a")),
          List.of(edsCluster("cluster-a"), edsCluster("cluster-b")),
          List.of(h.cla("cluster-a", new int[] {0}), h.cla("cluster-b", new int[] {1})));
      h.startClient("UnaryCall,EmptyCall", "");
      h.stats(10);
      LoadBalancerStatsResponse stats = h.stats(40);
      assertThat(stats.getNumFailures()).isZero();
      assertThat(stats.getRpcsByMethodOrThrow("UnaryCall").getRpcsByPeerMap()).containsOnlyKeys("backend-0");
      assertThat(stats.getRpcsByMethodOrThrow("EmptyCall").getRpcsByPeerMap()).containsOnlyKeys("backend-1");
    }
  }

  /** header_matching: metadata set at run time through Configure sends EmptyCall to the other cluster. */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void headerMatching(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 2)) {
      Route byHeader = Route.newBuilder()
          .setMatch(RouteMatch.newBuilder().setPrefix("/").addHeaders(HeaderMatcher.newBuilder()
              .setName("xds_md").setStringMatch(StringMatcher.newBuilder().setExact("exact_match"))))
          .setRoute(RouteAction.newBuilder().setCluster("cluster-b")).build();
      h.serve("1", routes(byHeader, prefixTo("/", "cluster-a")),
          List.of(edsCluster("cluster-a"), edsCluster("cluster-b")),
          List.of(h.cla("cluster-a", new int[] {0}), h.cla("cluster-b", new int[] {1})));
      h.startClient("UnaryCall,EmptyCall", "");
      h.awaitAllTo("backend-0", 20);

      h.configure(ClientConfigureRequest.newBuilder()
          .addTypes(ClientConfigureRequest.RpcType.UNARY_CALL).addTypes(ClientConfigureRequest.RpcType.EMPTY_CALL)
          .addMetadata(ClientConfigureRequest.Metadata.newBuilder()
              .setType(ClientConfigureRequest.RpcType.EMPTY_CALL).setKey("xds_md").setValue("exact_match"))
          .build());
      h.stats(10); // RPCs sent before Configure may still be in this window
      LoadBalancerStatsResponse stats = h.stats(40);
      assertThat(stats.getRpcsByMethodOrThrow("UnaryCall").getRpcsByPeerMap()).containsOnlyKeys("backend-0");
      assertThat(stats.getRpcsByMethodOrThrow("EmptyCall").getRpcsByPeerMap()).containsOnlyKeys("backend-1");
    }
  }

  /** Response metadata by peer, for the keys asked (the framework reads server-set headers this way). */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void metadataByPeer(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 1)) {
      h.serveOneCluster("1", "cluster-a", 0);
      h.startClient("UnaryCall", "");
      h.stats(10);
      LoadBalancerStatsResponse stats = h.stats(5, "Hostname");
      assertThat(stats.getMetadatasByPeerOrThrow("backend-0").getRpcMetadataList()).hasSize(5)
          .allSatisfy(rpc -> assertThat(rpc.getMetadataList())
              .anySatisfy(e -> assertThat(e.getValue()).isEqualTo("backend-0")));
    }
  }

  /** failover: when priority 0 has no healthy endpoint, priority 1 takes the traffic, and gives it back. */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void failoverBetweenPriorities(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 2)) {
      h.serve("1", routes(prefixTo("/", "cluster-a")), List.of(edsCluster("cluster-a")),
          List.of(h.cla("cluster-a", new int[] {0}, new int[] {1})));
      h.startClient("UnaryCall", "");
      h.awaitAllTo("backend-0", 20);

      ClusterLoadAssignment primaryDown = h.cla("cluster-a", new int[] {0}, new int[] {1}).toBuilder()
          .setEndpoints(0, h.cla("cluster-a", new int[] {0}).getEndpoints(0).toBuilder()
              .setLbEndpoints(0, h.lbEndpoint(0, HealthStatus.UNHEALTHY)))
          .build();
      h.serve("2", routes(prefixTo("/", "cluster-a")), List.of(edsCluster("cluster-a")), List.of(primaryDown));
      h.awaitAllTo("backend-1", 20);

      h.serve("3", routes(prefixTo("/", "cluster-a")), List.of(edsCluster("cluster-a")),
          List.of(h.cla("cluster-a", new int[] {0}, new int[] {1})));
      h.awaitAllTo("backend-0", 20);
    }
  }

  /** csds: the client's stats port serves CSDS with every resource ACKed. */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void csds(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 1)) {
      h.serveOneCluster("1", "cluster-a", 0);
      h.startClient("UnaryCall", "");
      h.awaitAllTo("backend-0", 10);
      List<GenericXdsConfig> configs = ClientStatusDiscoveryServiceGrpc.newBlockingStub(h.statsChannel())
          .fetchClientStatus(ClientStatusRequest.getDefaultInstance()).getConfig(0).getGenericXdsConfigsList();
      assertThat(configs).extracting(GenericXdsConfig::getName)
          .containsExactlyInAnyOrder(InteropHarness.TARGET, InteropHarness.ROUTES, "cluster-a", "cluster-a");
      assertThat(configs).allSatisfy(c -> {
        assertThat(c.getClientStatus()).isEqualTo(ClientResourceStatus.ACKED);
        assertThat(c.getVersionInfo()).isEqualTo("1");
        assertThat(c.hasXdsConfig()).isTrue();
      });
    }
  }

  /** Failed RPCs are counted by their status (over HTTP, by gRPC's mapping) and --fail_on_failed_rpc fires. */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void failuresAreCountedByStatus(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 1)) {
      h.serveOneCluster("1", "cluster-a", 0);
      h.startClient("UnaryCall,EmptyCall", "UnaryCall:rpc-behavior:error-code-7");
      await().atMost(Duration.ofSeconds(30)).until(() -> h.accumulated().getStatsPerMethodOrThrow("UNARY_CALL")
          .getResultOrDefault(Status.Code.PERMISSION_DENIED.value(), 0) >= 10);
      LoadBalancerAccumulatedStatsResponse accumulated = h.accumulated();
      assertThat(accumulated.getStatsPerMethodOrThrow("UNARY_CALL").getResultMap())
          .containsOnlyKeys(Status.Code.PERMISSION_DENIED.value());
      assertThat(accumulated.getStatsPerMethodOrThrow("EMPTY_CALL").getResultMap())
          .containsKey(Status.Code.OK.value());
      assertThat(h.stats(20).getNumFailures()).isEqualTo(10); // the UnaryCall half of 20 alternating RPCs
      assertThat(h.failedRpcsReported()).isGreaterThan(0);
    }
  }

  /**
   * retry: the server fails the first two attempts with UNAVAILABLE (503 over HTTP) and lets the third succeed;
   * retry_policy retries them to success. Over HTTP the server counts attempts by x-envoy-attempt-count.
   */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void retry(String transport) {
    retriesToSuccess(transport, transport.equals("grpc") ? "unavailable" : "5xx");
  }

  /**
   * retry with {@code retry_on: unavailable} over HTTP/1.1: the server answers UNAVAILABLE as 503 with
   * {@code grpc-status: 14}, which Envoy's gRPC retry conditions read from the headers of any response.
   */
  @ParameterizedTest
  @ValueSource(strings = {"okhttp"})
  void retryOnUnavailableOverHttp(String transport) {
    retriesToSuccess(transport, "unavailable");
  }

  /**
   * The server fails the first two attempts with UNAVAILABLE (503 with {@code grpc-status: 14} over HTTP) and lets the
   * third succeed; a route retrying on {@code retryOn} brings every RPC to success on the one backend.
   */
  private static void retriesToSuccess(String transport, String retryOn) {
    try (InteropHarness h = new InteropHarness(transport, 1)) {
      Route retrying = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
          .setRoute(RouteAction.newBuilder().setCluster("cluster-a").setRetryPolicy(RetryPolicy.newBuilder()
              .setRetryOn(retryOn).setNumRetries(UInt32Value.of(3))
              .setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(Durations.fromMillis(2)))))
          .build();
      RouteConfiguration routes = routes(retrying).toBuilder()
          .setVirtualHosts(0, routes(retrying).getVirtualHosts(0).toBuilder().setIncludeRequestAttemptCount(true))
          .build();
      // At 100 qps with two retries per RPC, Envoy's default max_retries (3 in progress) would overflow on a busy
      // machine and fail RPCs for that reason instead: this scenario is about retries, so lift the breaker.
      Cluster roomy = edsCluster("cluster-a").toBuilder().setCircuitBreakers(CircuitBreakers.newBuilder()
          .addThresholds(CircuitBreakers.Thresholds.newBuilder().setMaxRetries(UInt32Value.of(1000)))).build();
      h.serve("1", routes, List.of(roomy), List.of(h.cla("cluster-a", new int[] {0})));
      h.startClient("UnaryCall",
          "UnaryCall:rpc-behavior:succeed-on-retry-attempt-2,UnaryCall:rpc-behavior:error-code-14");
      h.stats(10);
      LoadBalancerStatsResponse stats = h.stats(20);
      assertThat(stats.getNumFailures()).isZero();
      assertThat(stats.getRpcsByPeerMap()).containsOnlyKeys("backend-0");
    }
  }

  /** Without a retry policy the same behaviour fails every RPC: the retry scenario's control. */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void noRetryPolicyNoRetry(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 1)) {
      h.serveOneCluster("1", "cluster-a", 0);
      h.startClient("UnaryCall",
          "UnaryCall:rpc-behavior:succeed-on-retry-attempt-2,UnaryCall:rpc-behavior:error-code-14");
      h.stats(10);
      assertThat(h.stats(10).getNumFailures()).isEqualTo(10);
    }
  }

  /** timeout: a route's max_stream_duration / timeout ends slow RPCs with DEADLINE_EXCEEDED. */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void timeout(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 1)) {
      Route slow = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
          .setRoute(RouteAction.newBuilder().setCluster("cluster-a").setTimeout(Durations.fromMillis(500))
              .setMaxStreamDuration(RouteAction.MaxStreamDuration.newBuilder()
                  .setMaxStreamDuration(Durations.fromMillis(500))))
          .build();
      h.serve("1", routes(slow), List.of(edsCluster("cluster-a")), List.of(h.cla("cluster-a", new int[] {0})));
      h.startClient("UnaryCall", "UnaryCall:rpc-behavior:sleep-2");
      await().atMost(Duration.ofSeconds(20)).until(() -> h.accumulated().getStatsPerMethodOrThrow("UNARY_CALL")
          .getResultOrDefault(Status.Code.DEADLINE_EXCEEDED.value(), 0) >= 5);
      assertThat(h.accumulated().getStatsPerMethodOrThrow("UNARY_CALL").getResultOrDefault(0, 0)).isZero();
    }
  }

  /** fault_injection: an abort fault answers the configured status without reaching a backend. */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void faultInjection(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 1)) {
      FaultAbort.Builder abort = FaultAbort.newBuilder()
          .setPercentage(FractionalPercent.newBuilder().setNumerator(100));
      if (transport.equals("grpc")) {
        abort.setGrpcStatus(Status.Code.UNAVAILABLE.value());
      } else {
        abort.setHttpStatus(503);
      }
      HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
          .setRds(Rds.newBuilder().setRouteConfigName(InteropHarness.ROUTES).setConfigSource(XdsResources.ads()))
          .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.fault")
              .setTypedConfig(Any.pack(HTTPFault.newBuilder().setAbort(abort).build())))
          .addHttpFilters(XdsResources.routerFilter())
          .build();
      h.controlPlane.setSnapshot("1", List.of(XdsResources.apiListener(InteropHarness.TARGET, hcm)),
          List.of(routes(prefixTo("/", "cluster-a"))), List.of(edsCluster("cluster-a")),
          List.of(h.cla("cluster-a", new int[] {0})));
      h.startClient("UnaryCall", "");
      h.stats(10);
      LoadBalancerStatsResponse stats = h.stats(20);
      assertThat(stats.getNumFailures()).isEqualTo(20);
      assertThat(stats.getRpcsByPeerMap()).isEmpty();
      assertThat(h.accumulated().getStatsPerMethodOrThrow("UNARY_CALL").getResultMap())
          .containsOnlyKeys(Status.Code.UNAVAILABLE.value());
    }
  }

  /**
   * fault_injection as gRPC's suite runs it: a fixed 20 s delay on every RPC, a 2 s client deadline, 40 RPCs a
   * second. Nothing may hold a thread for a delay: every RPC ends at its deadline with DEADLINE_EXCEEDED, the
   * client's thread count does not grow with the delayed RPCs, and the cases that follow (abort at 100%, delay at
   * 50%, abort at 50%) measure as they would alone.
   */
  @Test
  void faultDelayFarLongerThanTheDeadlineOverGrpc() {
    faultDelayFarLongerThanTheDeadline("grpc");
  }

  private void faultDelayFarLongerThanTheDeadline(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 1)) {
      FaultInjectionScenario.serve(h);
      h.startClient("UnaryCall", "UnaryCall:fi_testcase:always_delay", 40, 2);

      // always_delay: every RPC of the window ends at its deadline (none is still waiting out its 20 s).
      h.stats(10); // the first RPCs also wait for the config
      int threadsBefore = Thread.activeCount();
      LoadBalancerStatsResponse delayed = h.stats(80);
      assertThat(delayed.getNumFailures()).isEqualTo(80);
      assertThat(delayed.getRpcsByPeerMap()).isEmpty();
      assertThat(results(h)).containsOnlyKeys(Status.Code.DEADLINE_EXCEEDED.value());
      // At 40 RPCs/s a thread per delayed RPC would add 80 threads in 2 s; a few come and go in any JVM.
      assertThat(Thread.activeCount()).isLessThan(threadsBefore + 40);

      // always_abort: once the delayed RPCs have all ended, every RPC is aborted, none delayed.
      runCase(h, "always_abort");
      await().atMost(Duration.ofSeconds(20)).until(() -> inFlight(h) == 0);
      Map<Integer, Integer> before = results(h);
      LoadBalancerStatsResponse aborted = h.stats(40);
      assertThat(aborted.getNumFailures()).isEqualTo(40);
      assertThat(since(before, results(h))).containsOnlyKeys(Status.Code.UNAUTHENTICATED.value());

      // delay_half and abort_half: about half of 80 fail; +-20 is more than 4 standard deviations (sqrt(80)/2).
      runCase(h, "delay_half");
      h.stats(10);
      LoadBalancerStatsResponse halfDelayed = h.stats(80);
      assertThat(halfDelayed.getNumFailures()).isBetween(20, 60);
      assertThat(halfDelayed.getRpcsByPeerOrDefault("backend-0", 0)).isEqualTo(80 - halfDelayed.getNumFailures());

      runCase(h, "abort_half");
      await().atMost(Duration.ofSeconds(20)).until(() -> inFlight(h) == 0);
      before = results(h);
      LoadBalancerStatsResponse halfAborted = h.stats(80);
      assertThat(halfAborted.getNumFailures()).isBetween(20, 60);
      assertThat(since(before, results(h))).containsOnlyKeys(Status.Code.OK.value(), Status.Code.UNAUTHENTICATED.value());
    }
  }

  /**
   * circuit_breaking: max_requests 2 with keep-open RPCs: two stay in flight (until the client's 5 s deadline) and
   * every other RPC fails fast with UNAVAILABLE.
   */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void circuitBreaking(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 1)) {
      Cluster limited = edsCluster("cluster-a").toBuilder().setCircuitBreakers(CircuitBreakers.newBuilder()
          .addThresholds(CircuitBreakers.Thresholds.newBuilder().setMaxRequests(UInt32Value.of(2)))).build();
      h.serve("1", routes(prefixTo("/", "cluster-a")), List.of(limited), List.of(h.cla("cluster-a", new int[] {0})));
      h.startClient("UnaryCall", "UnaryCall:rpc-behavior:keep-open");
      // At 100 qps, RPCs past the first two fail fast; the two keep-open ones stay in flight.
      await().atMost(Duration.ofSeconds(20)).until(() -> h.keptOpen(0) == 2 && h.accumulated()
          .getStatsPerMethodOrThrow("UNARY_CALL").getResultOrDefault(Status.Code.UNAVAILABLE.value(), 0) >= 50);
      assertThat(h.accumulated().getStatsPerMethodOrThrow("UNARY_CALL").getResultOrDefault(0, 0)).isZero();
      assertThat(h.keptOpen(0)).isEqualTo(2);
    }
  }

  /** affinity: ring_hash on a header keeps one header value on one backend. */
  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void affinity(String transport) {
    try (InteropHarness h = new InteropHarness(transport, 3)) {
      Route hashed = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
          .setRoute(RouteAction.newBuilder().setCluster("cluster-a").addHashPolicy(RouteAction.HashPolicy.newBuilder()
              .setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName("address_hash"))))
          .build();
      Cluster ringHash = edsCluster("cluster-a").toBuilder().setLbPolicy(Cluster.LbPolicy.RING_HASH).build();
      h.serve("1", routes(hashed), List.of(ringHash), List.of(h.cla("cluster-a", new int[] {0, 1, 2})));
      h.startClient("UnaryCall,EmptyCall", "EmptyCall:address_hash:user-1");
      h.stats(10);
      LoadBalancerStatsResponse stats = h.stats(60);
      assertThat(stats.getNumFailures()).isZero();
      // Every EmptyCall carries the same hash: one backend. UnaryCall has none, so ring hash spreads it (a random
      // hash per RPC): over 30 RPCs all on one of 3 backends has probability 3 * (1/3)^30, negligible.
      assertThat(stats.getRpcsByMethodOrThrow("EmptyCall").getRpcsByPeerMap()).hasSize(1);
      assertThat(stats.getRpcsByMethodOrThrow("UnaryCall").getRpcsByPeerMap().size()).isGreaterThan(1);
    }
  }
}

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
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.grpc.Status;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * gRPC's xDS interop scenarios in the shapes that once failed over OkHttp: the test client sends HTTP/1.1 calls
 * with {@code enqueue} through {@code mesh.okHttp(builder)}, so OkHttp's dispatcher is part of what is tested.
 */
class OkHttpInteropScenariosTest {

  /**
   * fault_injection as gRPC's suite runs it, over async OkHttp: a fixed 20 s delay on every call, a 2 s call timeout
   * (the client's deadline), 40 calls a second. Every call ends at its call timeout with DEADLINE_EXCEEDED (none waits
   * out its 20 s, and none waits in OkHttp's dispatcher queue behind the delayed ones), and the cases that follow
   * (abort at 100%, delay at 50%, abort at 50%) measure as they would alone.
   */
  @Test
  void faultDelayFarLongerThanTheDeadlineOverAsyncOkHttp() {
    try (InteropHarness h = new InteropHarness("okhttp", 1)) {
      FaultInjectionScenario.serve(h);
      h.startClient("UnaryCall", "UnaryCall:fi_testcase:always_delay", 40, 2);

      // always_delay: every call of the window ends at its call timeout.
      h.stats(10); // the first calls also wait for the config
      LoadBalancerStatsResponse delayed = h.stats(80);
      assertThat(delayed.getNumFailures()).isEqualTo(80);
      assertThat(delayed.getRpcsByPeerMap()).isEmpty();
      assertThat(results(h)).containsOnlyKeys(Status.Code.DEADLINE_EXCEEDED.value());

      // always_abort: once the delayed calls have all ended, every call is aborted, none delayed.
      runCase(h, "always_abort");
      await().atMost(Duration.ofSeconds(20)).until(() -> inFlight(h) == 0);
      Map<Integer, Integer> before = results(h);
      LoadBalancerStatsResponse aborted = h.stats(40);
      assertThat(aborted.getNumFailures()).isEqualTo(40);
      assertThat(since(before, results(h))).containsOnlyKeys(Status.Code.UNAUTHENTICATED.value());

      // delay_half and abort_half: about half of 80 fail; +-20 is more than 4 standard deviations (sqrt(80)/2).
      runCase(h, "delay_half");
      h.stats(10);
      before = results(h);
      LoadBalancerStatsResponse halfDelayed = h.stats(80);
      assertThat(halfDelayed.getNumFailures()).isBetween(20, 60);
      assertThat(halfDelayed.getRpcsByPeerOrDefault("backend-0", 0)).isEqualTo(80 - halfDelayed.getNumFailures());
      assertThat(since(before, results(h))).containsOnlyKeys(
          Status.Code.OK.value(), Status.Code.DEADLINE_EXCEEDED.value());

      runCase(h, "abort_half");
      await().atMost(Duration.ofSeconds(20)).until(() -> inFlight(h) == 0);
      before = results(h);
      LoadBalancerStatsResponse halfAborted = h.stats(80);
      assertThat(halfAborted.getNumFailures()).isBetween(20, 60);
      assertThat(since(before, results(h))).containsOnlyKeys(
          Status.Code.OK.value(), Status.Code.UNAUTHENTICATED.value());
    }
  }

  /**
   * circuit_breaking with max_requests 50 and kept-open calls over async OkHttp: the cluster's breaker, not OkHttp's
   * dispatcher (5 per host), is the limit. 50 calls are in flight and every other one fails at once with UNAVAILABLE
   * (OVERFLOW, 503 UO); none piles up in the dispatcher's queue.
   */
  @Test
  void circuitBreakingWithFiftyKeptOpenOverAsyncOkHttp() {
    try (InteropHarness h = new InteropHarness("okhttp", 1)) {
      Cluster limited = edsCluster("cluster-a").toBuilder().setCircuitBreakers(CircuitBreakers.newBuilder()
          .addThresholds(CircuitBreakers.Thresholds.newBuilder().setMaxRequests(UInt32Value.of(50)))).build();
      h.serve("1", routes(prefixTo("/", "cluster-a")), List.of(limited), List.of(h.cla("cluster-a", new int[] {0})));
      // A deadline longer than the test: the kept-open calls stay in flight throughout.
      h.startClient("UnaryCall", "UnaryCall:rpc-behavior:keep-open", InteropHarness.QPS, 600);
      // Counted at the backend: the client's started-minus-finished also counts a call between its start and its
      // fast failure.
      await().atMost(Duration.ofSeconds(30)).until(() -> h.keptOpen(0) == 50 && results(h)
          .getOrDefault(Status.Code.UNAVAILABLE.value(), 0) >= 100);
      assertThat(results(h)).containsOnlyKeys(Status.Code.UNAVAILABLE.value());
      assertThat(h.keptOpen(0)).isEqualTo(50);
    }
  }

}

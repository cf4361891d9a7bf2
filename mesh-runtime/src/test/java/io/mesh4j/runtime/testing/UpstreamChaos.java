package io.mesh4j.runtime.testing;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.time.Duration;
import java.util.List;

/**
 * The chaos tests' shared shape (OkHttp and gRPC): ten endpoints of which {@link #FAILING} fail every call (503, or
 * gRPC {@code UNAVAILABLE}: 30% of the responses before outlier detection ejects them) and one is a black hole
 * (accepts the connection and the request, never answers); Istio's default retry policy plus a per-try timeout;
 * outlier detection; and the property: at least 99.5% of the calls succeed and their p99 is within the route
 * timeout.
 */
public final class UpstreamChaos {
  /** Endpoints that answer. */
  public static final int HEALTHY = 6;
  /** Endpoints that fail every call. */
  public static final int FAILING = 3;
  /** Generous, so that the property holds on a busy machine; the per-try timeout is what bounds a black-holed try. */
  public static final Duration ROUTE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration PER_TRY_TIMEOUT = Duration.ofMillis(500);
  /** Concurrent callers. */
  public static final int CALLERS = 4;
  /**
   * Calls per test ({@code -Dmesh4j.chaos.requests=N}). The black hole fails at most one first try per caller before
   * it is ejected, so enough calls keep those few well inside the 0.5% allowed on a slow machine.
   */
  public static final int REQUESTS = Integer.getInteger("mesh4j.chaos.requests", 4000) / CALLERS * CALLERS;

  private UpstreamChaos() {}

  /**
   * Istio's default route retry policy ({@code connect-failure,refused-stream,unavailable,cancelled,
   * retriable-status-codes} with 503, two retries, never the same host again) with {@link #PER_TRY_TIMEOUT}.
   */
  public static RetryPolicy istioDefaultRetries() {
    return RetryPolicy.newBuilder()
        .setRetryOn("connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes")
        .addRetriableStatusCodes(503)
        .setNumRetries(UInt32Value.of(2))
        .setPerTryTimeout(Durations.fromMillis(PER_TRY_TIMEOUT.toMillis()))
        .addRetryHostPredicate(RetryPolicy.RetryHostPredicate.newBuilder()
            .setName("envoy.retry_host_predicates.previous_hosts"))
        .setHostSelectionRetryMaxAttempts(5)
        .build();
  }

  /** {@code cluster} ejecting a host after 3 consecutive 5xx or one gateway failure (a timed-out try), for a minute. */
  public static Cluster withOutlierDetection(Cluster cluster) {
    return cluster.toBuilder().setOutlierDetection(OutlierDetection.newBuilder()
        .setConsecutive5Xx(UInt32Value.of(3))
        .setConsecutiveGatewayFailure(UInt32Value.of(1))
        .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(100))
        .setInterval(Durations.fromSeconds(1))
        .setBaseEjectionTime(Durations.fromSeconds(60))
        .setMaxEjectionPercent(UInt32Value.of(50)))
        .build();
  }

  /** Publishes {@code target} routed to one cluster of {@code endpoints} with the retries, timeouts and ejection. */
  public static void serve(LoopbackControlPlane controlPlane, String target, List<String> endpoints) {
    String cluster = "chaos";
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("chaos-routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("chaos").addDomains(target).addRoutes(Route.newBuilder()
            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRoute(RouteAction.newBuilder().setCluster(cluster)
                .setTimeout(Durations.fromMillis(ROUTE_TIMEOUT.toMillis()))
                .setRetryPolicy(istioDefaultRetries()))))
        .build();
    controlPlane.setSnapshot("1", List.of(apiListener(target, "chaos-routes")), List.of(routes),
        List.of(withOutlierDetection(edsCluster(cluster))), List.of(cla(cluster, endpoints.toArray(String[]::new))));
  }

  /**
   * The property over {@code calls}: at least 99.5% were {@code success}, and the p99 of their latencies is
   * within the route timeout. Also reports the figures (see {@link ReliabilityFigures}) under {@code title}.
   */
  public static void assertMostSucceedWithinTheRouteTimeout(RecordedCalls calls, String success, String title) {
    ReliabilityFigures.titled(title)
        .add("calls", calls.total())
        .add("succeeded", calls.count(success))
        .add("outcomes", calls.outcomes())
        .add("p50", millis(calls.percentile(0.50)))
        .add("p99", millis(calls.percentile(0.99)))
        .add("route timeout", ROUTE_TIMEOUT.toMillis() + " ms")
        .write();
    assertThat(calls.total()).isEqualTo(REQUESTS);
    assertThat(calls.count(success) * 1000L).as("outcomes %s", calls.outcomes())
        .isGreaterThanOrEqualTo(995L * calls.total());
    assertThat(calls.percentile(0.99)).as("p99 of %s calls", calls.total()).isLessThanOrEqualTo(ROUTE_TIMEOUT);
  }

  private static String millis(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
  }
}

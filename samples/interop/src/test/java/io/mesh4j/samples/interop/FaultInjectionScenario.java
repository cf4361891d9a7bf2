package io.mesh4j.samples.interop;

import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.samples.interop.InteropHarness.prefixTo;
import static io.mesh4j.samples.interop.InteropHarness.routes;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.samples.interop.proto.ClientConfigureRequest;
import io.mesh4j.samples.interop.proto.LoadBalancerAccumulatedStatsResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * gRPC's fault_injection scenario as its suite runs it: one route per case, chosen by the {@code fi_testcase}
 * header (a 20 s delay or a 401 abort, at 100% or 50%), the rest to cluster-a; and what the tests read back.
 */
final class FaultInjectionScenario {
  private static final String FAULT_FILTER = "envoy.filters.http.fault";

  private FaultInjectionScenario() {}

  /** Serves the fault filter and the four cases: always_delay, always_abort, delay_half, abort_half. */
  static void serve(InteropHarness h) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setRds(Rds.newBuilder().setRouteConfigName(InteropHarness.ROUTES).setConfigSource(XdsResources.ads()))
        .addHttpFilters(HttpFilter.newBuilder().setName(FAULT_FILTER)
            .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())))
        .addHttpFilters(XdsResources.routerFilter())
        .build();
    h.controlPlane.setSnapshot("1", List.of(XdsResources.apiListener(InteropHarness.TARGET, hcm)),
        List.of(routes(faultCase("always_delay", delay(100)), faultCase("always_abort", abort(100)),
            faultCase("delay_half", delay(50)), faultCase("abort_half", abort(50)), prefixTo("/", "cluster-a"))),
        List.of(edsCluster("cluster-a")), List.of(h.cla("cluster-a", new int[] {0})));
  }

  /** Switches the client's unary calls to {@code testCase}, with the suite's 2 s deadline. */
  static void runCase(InteropHarness h, String testCase) {
    h.configure(ClientConfigureRequest.newBuilder().addTypes(ClientConfigureRequest.RpcType.UNARY_CALL)
        .addMetadata(ClientConfigureRequest.Metadata.newBuilder().setType(ClientConfigureRequest.RpcType.UNARY_CALL)
            .setKey("fi_testcase").setValue(testCase))
        .setTimeoutSec(2).build());
  }

  /** The unary calls ended so far, by status code. */
  static Map<Integer, Integer> results(InteropHarness h) {
    return h.accumulated().getStatsPerMethodOrThrow("UNARY_CALL").getResultMap();
  }

  /** Calls started but not finished, by the accumulated stats. */
  static int inFlight(InteropHarness h) {
    LoadBalancerAccumulatedStatsResponse.MethodStats unary = h.accumulated().getStatsPerMethodOrThrow("UNARY_CALL");
    return unary.getRpcsStarted() - unary.getResultMap().values().stream().mapToInt(Integer::intValue).sum();
  }

  /** The results that grew from {@code before} to {@code after}, by how much. */
  static Map<Integer, Integer> since(Map<Integer, Integer> before, Map<Integer, Integer> after) {
    Map<Integer, Integer> delta = new TreeMap<>();
    after.forEach((code, count) -> {
      int grown = count - before.getOrDefault(code, 0);
      if (grown > 0) {
        delta.put(code, grown);
      }
    });
    return delta;
  }

  /** A route for requests whose {@code fi_testcase} header is {@code testCase}, with {@code fault} on it. */
  private static Route faultCase(String testCase, HTTPFault fault) {
    return Route.newBuilder()
        .setMatch(RouteMatch.newBuilder().setPrefix("/").addHeaders(HeaderMatcher.newBuilder().setName("fi_testcase")
            .setStringMatch(StringMatcher.newBuilder().setExact(testCase))))
        .setRoute(RouteAction.newBuilder().setCluster("cluster-a"))
        .putTypedPerFilterConfig(FAULT_FILTER, Any.pack(fault))
        .build();
  }

  private static HTTPFault delay(int percent) {
    return HTTPFault.newBuilder().setDelay(FaultDelay.newBuilder().setFixedDelay(Durations.fromSeconds(20))
        .setPercentage(FractionalPercent.newBuilder().setNumerator(percent))).build();
  }

  private static HTTPFault abort(int percent) {
    // 401 reads as UNAUTHENTICATED over both transports (gRPC's HTTP-to-status mapping).
    return HTTPFault.newBuilder().setAbort(FaultAbort.newBuilder().setHttpStatus(401)
        .setPercentage(FractionalPercent.newBuilder().setNumerator(percent))).build();
  }
}

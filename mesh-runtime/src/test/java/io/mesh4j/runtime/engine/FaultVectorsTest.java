package io.mesh4j.runtime.engine;

import static io.mesh4j.runtime.route.RouteProtos.prefix;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.runtime.filter.HttpFilterConfig;
import io.mesh4j.runtime.filter.fault.AbortStatus;
import io.mesh4j.runtime.filter.fault.FaultFilterProvider;
import io.mesh4j.runtime.filter.fault.FaultInjector;
import io.mesh4j.runtime.filter.fault.InjectedFault;
import io.mesh4j.runtime.route.RouteProtos;
import io.mesh4j.runtime.route.RouteTable;
import io.mesh4j.runtime.view.InMemoryRequest;
import io.mesh4j.runtime.testing.FakeTime;
import io.mesh4j.runtime.xds.DecodeContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** Route-matching vectors 28-32 (fault filter), through the real decoders and the engine's filter step. */
class FaultVectorsTest {
  private static final String FILTER = "envoy.filters.http.fault";

  /** Draws that always fall inside a percentage (0) unless a test queues others. */
  private final List<Long> draws = new ArrayList<>();
  private final LongSupplier random = () -> draws.isEmpty() ? 0 : draws.remove(0);
  private final RequestPolicies policies = new RequestPolicies(new FaultInjector(random));

  static FractionalPercent percent(int numerator, FractionalPercent.DenominatorType denominator) {
    return FractionalPercent.newBuilder().setNumerator(numerator).setDenominator(denominator).build();
  }

  static FractionalPercent hundred(int numerator) {
    return percent(numerator, FractionalPercent.DenominatorType.HUNDRED);
  }

  static HttpFilterConfig filter(HTTPFault fault) throws Exception {
    return new HttpFilterConfig(FILTER, FaultFilterProvider.decode(fault, "typed_config", DecodeContext.discarding()));
  }

  static HTTPFault abort(int status, int percent) {
    return HTTPFault.newBuilder()
        .setAbort(FaultAbort.newBuilder().setHttpStatus(status).setPercentage(hundred(percent)))
        .build();
  }

  private InjectedFault evaluate(HttpFilterConfig filter, RouteTable table, InMemoryRequest request) {
    io.mesh4j.runtime.route.Route route = table.select(request, 0);
    return policies.evaluateFilters(List.of(filter), route, 0, "c", request);
  }

  private static RouteTable plainRoute() {
    return RouteProtos.table(RouteProtos.route("c", prefix("/")));
  }

  @Test
  void vector28_headerFaultsNeedHeaderAbortOrHeaderDelayAndTakeTheSmallerPercentage() throws Exception {
    InMemoryRequest request = InMemoryRequest.get("a", "/").header("x-envoy-fault-abort-request", "418")
        .header("x-envoy-fault-delay-request", "250");
    // A fixed abort config ignores the headers: its own status, its own percentage.
    InjectedFault fixed = evaluate(filter(abort(503, 100)), plainRoute(), request);
    assertThat(fixed.abort()).isEqualTo(new AbortStatus(503, -1));
    assertThat(fixed.delayNanos()).isZero();
    fixed.release();

    HTTPFault headerControlled = HTTPFault.newBuilder()
        .setAbort(FaultAbort.newBuilder().setHeaderAbort(FaultAbort.HeaderAbort.getDefaultInstance())
            .setPercentage(hundred(50)))
        .setDelay(FaultDelay.newBuilder().setHeaderDelay(FaultDelay.HeaderDelay.getDefaultInstance())
            .setPercentage(hundred(100)))
        .build();
    HttpFilterConfig filter = filter(headerControlled);
    InjectedFault fromHeaders = evaluate(filter, plainRoute(), request);
    assertThat(fromHeaders.abort()).isEqualTo(new AbortStatus(418, -1));
    assertThat(fromHeaders.delayNanos()).isEqualTo(250_000_000L);
    fromHeaders.release();

    // The abort header asks 80%, the config allows 50: min is 50. Draw 49 is in, 50 is out (delay draws first).
    InMemoryRequest asking80 = InMemoryRequest.get("a", "/").header("x-envoy-fault-abort-request", "418")
        .header("x-envoy-fault-abort-request-percentage", "80");
    draws.addAll(List.of(0L, 49L));
    assertThat(evaluate(filter, plainRoute(), asking80).abort()).isNotNull();
    draws.addAll(List.of(0L, 50L));
    assertThat(evaluate(filter, plainRoute(), asking80)).isNull();
    // Asking 10% lowers it: draw 10 is out.
    InMemoryRequest asking10 = InMemoryRequest.get("a", "/").header("x-envoy-fault-abort-request", "418")
        .header("x-envoy-fault-abort-request-percentage", "10");
    draws.addAll(List.of(0L, 10L));
    assertThat(evaluate(filter, plainRoute(), asking10)).isNull();
    // No abort header: nothing to abort with.
    assertThat(evaluate(filter, plainRoute(), InMemoryRequest.get("a", "/"))).isNull();
  }

  @Test
  void vector29_httpStatusMapsToGrpcAndWinsOverTheGrpcHeader() throws Exception {
    assertThat(new AbortStatus(404, -1).grpcStatusForGrpcCall()).isEqualTo(12); // UNIMPLEMENTED
    assertThat(new AbortStatus(401, -1).grpcStatusForGrpcCall()).isEqualTo(16); // UNAUTHENTICATED
    assertThat(new AbortStatus(403, -1).grpcStatusForGrpcCall()).isEqualTo(7); // PERMISSION_DENIED
    assertThat(new AbortStatus(503, -1).grpcStatusForGrpcCall()).isEqualTo(14); // UNAVAILABLE
    assertThat(new AbortStatus(400, -1).grpcStatusForGrpcCall()).isEqualTo(13); // INTERNAL
    assertThat(new AbortStatus(500, -1).grpcStatusForGrpcCall()).isEqualTo(2); // UNKNOWN

    HTTPFault headerAbort = HTTPFault.newBuilder()
        .setAbort(FaultAbort.newBuilder().setHeaderAbort(FaultAbort.HeaderAbort.getDefaultInstance())
            .setPercentage(hundred(100)))
        .build();
    InMemoryRequest both = InMemoryRequest.get("a", "/").header("x-envoy-fault-abort-request", "404")
        .header("x-envoy-fault-abort-grpc-request", "5");
    InjectedFault fault = evaluate(filter(headerAbort), plainRoute(), both);
    assertThat(fault.abort()).isEqualTo(new AbortStatus(404, -1));
    assertThat(fault.abort().grpcStatusForGrpcCall()).isEqualTo(12);
    fault.release();

    InMemoryRequest grpcOnly = InMemoryRequest.get("a", "/").header("x-envoy-fault-abort-grpc-request", "5");
    InjectedFault grpc = evaluate(filter(headerAbort), plainRoute(), grpcOnly);
    assertThat(grpc.abort()).isEqualTo(new AbortStatus(200, 5));
    assertThat(grpc.abort().grpcStatusForGrpcCall()).isEqualTo(5);
    grpc.release();

    HTTPFault configuredGrpc = HTTPFault.newBuilder()
        .setAbort(FaultAbort.newBuilder().setGrpcStatus(8).setPercentage(hundred(100))).build();
    InjectedFault configured = evaluate(filter(configuredGrpc), plainRoute(), InMemoryRequest.get("a", "/"));
    assertThat(configured.abort()).isEqualTo(new AbortStatus(200, 8));
    assertThat(RequestPolicies.abort(configured.abort()).responseFlag()).isEqualTo("FI");
  }

  @Test
  void vector30_aDelayLongerThanTheTimeoutEndsAtTheTimeoutAndDelayComesBeforeAbort() throws Exception {
    HTTPFault delayThenAbort = HTTPFault.newBuilder()
        .setDelay(FaultDelay.newBuilder().setFixedDelay(Durations.fromSeconds(3)).setPercentage(hundred(100)))
        .setAbort(FaultAbort.newBuilder().setHttpStatus(503).setPercentage(hundred(100)))
        .build();
    RouteTable oneSecond = RouteProtos.table(Route.newBuilder().setMatch(prefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster("c").setTimeout(Durations.fromSeconds(1))).build());
    InMemoryRequest request = InMemoryRequest.get("a", "/");
    InjectedFault fault = evaluate(filter(delayThenAbort), oneSecond, request);
    io.mesh4j.runtime.route.Route route = oneSecond.select(request, 0);
    io.mesh4j.runtime.engine.FaultDelay delay = new io.mesh4j.runtime.engine.FaultDelay(null, "t", null, route, "c",
        fault, request);
    assertThat(delay.reachesRouteTimeout()).isTrue();
    assertThat(delay.waitNanos()).isEqualTo(1_000_000_000L);
    assertThat(delay.routeTimedOut().reason()).isEqualTo(Reason.UPSTREAM_TIMEOUT);

    // With a timeout of 0 (disabled) the whole delay passes, then the abort answers.
    RouteTable noTimeout = RouteProtos.table(Route.newBuilder().setMatch(prefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster("c").setTimeout(Durations.fromSeconds(0))).build());
    InjectedFault second = evaluate(filter(delayThenAbort), noTimeout, request);
    io.mesh4j.runtime.engine.FaultDelay whole = new io.mesh4j.runtime.engine.FaultDelay(null, "t", null,
        noTimeout.select(request, 0), "c", second, request);
    assertThat(whole.reachesRouteTimeout()).isFalse();
    assertThat(whole.waitNanos()).isEqualTo(3_000_000_000L);
    assertThat(second.abort()).isEqualTo(new AbortStatus(503, -1));
  }

  @Test
  void vector31_noNewFaultOnceMaxActiveFaultsAreInFlight() throws Exception {
    HttpFilterConfig filter = filter(abort(503, 100).toBuilder().setMaxActiveFaults(UInt32Value.of(2)).build());
    InMemoryRequest request = InMemoryRequest.get("a", "/");
    InjectedFault first = evaluate(filter, plainRoute(), request);
    InjectedFault second = evaluate(filter, plainRoute(), request);
    assertThat(first).isNotNull();
    assertThat(second).isNotNull();
    assertThat(evaluate(filter, plainRoute(), request)).isNull();
    first.release();
    first.release(); // releasing twice counts once
    InjectedFault third = evaluate(filter, plainRoute(), request);
    assertThat(third).isNotNull();
    assertThat(evaluate(filter, plainRoute(), request)).isNull();
  }

  @Test
  void vector32_weightedClusterOverridesRouteOverridesVirtualHostOverridesBase() throws Exception {
    HttpFilterConfig base = filter(abort(500, 100));
    Any vhost = Any.pack(abort(501, 100));
    Any route = Any.pack(abort(502, 100));
    Any cluster = Any.pack(abort(503, 100));
    RouteConfiguration config = RouteConfiguration.newBuilder().setName("r")
        .addVirtualHosts(VirtualHost.newBuilder().setName("vh").addDomains("vh")
            .putTypedPerFilterConfig(FILTER, vhost)
            .addRoutes(Route.newBuilder().setMatch(prefix("/weighted")).putTypedPerFilterConfig(FILTER, route)
                .setRoute(RouteAction.newBuilder().setWeightedClusters(WeightedCluster.newBuilder()
                    .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("c")
                        .setWeight(UInt32Value.of(1)).putTypedPerFilterConfig(FILTER, cluster)))))
            .addRoutes(Route.newBuilder().setMatch(prefix("/route")).putTypedPerFilterConfig(FILTER, route)
                .setRoute(RouteAction.newBuilder().setCluster("c")))
            .addRoutes(Route.newBuilder().setMatch(prefix("/")).setRoute(RouteAction.newBuilder().setCluster("c"))))
        .addVirtualHosts(VirtualHost.newBuilder().setName("plain").addDomains("plain")
            .addRoutes(Route.newBuilder().setMatch(prefix("/")).setRoute(RouteAction.newBuilder().setCluster("c"))))
        .build();
    RouteTable table = RouteProtos.decode(config);
    assertThat(evaluate(base, table, InMemoryRequest.get("vh", "/weighted")).abort().httpStatus()).isEqualTo(503);
    assertThat(evaluate(base, table, InMemoryRequest.get("vh", "/route")).abort().httpStatus()).isEqualTo(502);
    assertThat(evaluate(base, table, InMemoryRequest.get("vh", "/other")).abort().httpStatus()).isEqualTo(501);
    assertThat(evaluate(base, table, InMemoryRequest.get("plain", "/")).abort().httpStatus()).isEqualTo(500);
  }

  @Test
  void aDisabledOverrideTurnsTheFilterOffForThatRoute() throws Exception {
    Any disabled = Any.pack(io.envoyproxy.envoy.config.route.v3.FilterConfig.newBuilder().setDisabled(true).build());
    RouteTable table = RouteProtos.table(
        Route.newBuilder().setMatch(prefix("/off")).putTypedPerFilterConfig(FILTER, disabled)
            .setRoute(RouteAction.newBuilder().setCluster("c")).build(),
        RouteProtos.route("c", prefix("/")));
    HttpFilterConfig base = filter(abort(503, 100));
    assertThat(evaluate(base, table, InMemoryRequest.get("a", "/off"))).isNull();
    assertThat(evaluate(base, table, InMemoryRequest.get("a", "/on"))).isNotNull();
  }

  @Test
  void conditionsUpstreamClusterDownstreamNodesAndHeaders() throws Exception {
    HTTPFault conditioned = abort(503, 100).toBuilder()
        .setUpstreamCluster("c")
        .addDownstreamNodes("frontend")
        .addHeaders(io.envoyproxy.envoy.config.route.v3.HeaderMatcher.newBuilder().setName("x-test")
            .setPresentMatch(true))
        .build();
    HttpFilterConfig filter = filter(conditioned);
    InMemoryRequest all = InMemoryRequest.get("a", "/").header("x-envoy-downstream-service-node", "frontend")
        .header("x-test", "1");
    assertThat(evaluate(filter, plainRoute(), all)).isNotNull();
    assertThat(evaluate(filter, plainRoute(), InMemoryRequest.get("a", "/").header("x-test", "1"))).isNull();
    assertThat(evaluate(filter, plainRoute(),
        InMemoryRequest.get("a", "/").header("x-envoy-downstream-service-node", "frontend"))).isNull();
    io.mesh4j.runtime.route.Route route = plainRoute().select(all, 0);
    assertThat(policies.evaluateFilters(List.of(filter), route, 0, "other", all)).isNull();
  }

  @Test
  void percentagesUseTheirDenominator() throws Exception {
    HttpFilterConfig filter = filter(HTTPFault.newBuilder()
        .setAbort(FaultAbort.newBuilder().setHttpStatus(503)
            .setPercentage(percent(25, FractionalPercent.DenominatorType.TEN_THOUSAND)))
        .build());
    draws.add(10_024L); // 10024 % 10000 = 24 < 25
    assertThat(evaluate(filter, plainRoute(), InMemoryRequest.get("a", "/"))).isNotNull();
    draws.add(25L);
    assertThat(evaluate(filter, plainRoute(), InMemoryRequest.get("a", "/"))).isNull();
    // Unset percentage: Envoy's zero value, never.
    HttpFilterConfig unset = filter(HTTPFault.newBuilder()
        .setAbort(FaultAbort.newBuilder().setHttpStatus(503)).build());
    assertThat(evaluate(unset, plainRoute(), InMemoryRequest.get("a", "/"))).isNull();
  }
}

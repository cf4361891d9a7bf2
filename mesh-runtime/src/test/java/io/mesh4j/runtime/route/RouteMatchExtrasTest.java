package io.mesh4j.runtime.route;

import static io.mesh4j.runtime.route.RouteProtos.prefix;
import static io.mesh4j.runtime.route.RouteProtos.route;
import static io.mesh4j.runtime.route.RouteProtos.table;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.mesh4j.runtime.view.InMemoryRequest;
import org.junit.jupiter.api.Test;

/** runtime_fraction, grpc match, timeout and retry policy on the compiled route. */
class RouteMatchExtrasTest {

  @Test
  void runtimeFractionUsesDefaultValueAgainstTheRequestDraw() {
    RouteMatch.Builder tenPercent =
        prefix("/")
            .setRuntimeFraction(
                RuntimeFractionalPercent.newBuilder()
                    .setRuntimeKey("ignored.key")
                    .setDefaultValue(
                        FractionalPercent.newBuilder()
                            .setNumerator(10)
                            .setDenominator(FractionalPercent.DenominatorType.HUNDRED)));
    RouteTable table = table(route("canary", tenPercent), route("stable", prefix("/")));
    InMemoryRequest request = InMemoryRequest.get("h", "/");
    assertThat(table.select(request, 9).name()).isEqualTo("canary");
    assertThat(table.select(request, 109).name()).isEqualTo("canary");
    assertThat(table.select(request, 10).name()).isEqualTo("stable");
    assertThat(table.select(request, 99).name()).isEqualTo("stable");

    RouteMatch.Builder perMillion =
        prefix("/")
            .setRuntimeFraction(
                RuntimeFractionalPercent.newBuilder()
                    .setDefaultValue(
                        FractionalPercent.newBuilder()
                            .setNumerator(1)
                            .setDenominator(FractionalPercent.DenominatorType.MILLION)));
    RouteTable million = table(route("rare", perMillion));
    assertThat(million.select(request, 1_000_000)).isNotNull();
    assertThat(million.select(request, 1)).isNull();
  }

  @Test
  void grpcMatchOnlyMatchesGrpcRequests() {
    RouteTable table =
        table(route("grpc", prefix("/").setGrpc(RouteMatch.GrpcRouteMatchOptions.getDefaultInstance())), route("http", prefix("/")));
    assertThat(table.select(InMemoryRequest.get("h", "/pkg.S/M").header("content-type", "application/grpc"), 0).name())
        .isEqualTo("grpc");
    assertThat(
            table.select(InMemoryRequest.get("h", "/pkg.S/M").header("content-type", "application/grpc+proto"), 0).name())
        .isEqualTo("grpc");
    assertThat(table.select(InMemoryRequest.get("h", "/pkg.S/M").header("content-type", "application/grpc-web"), 0).name())
        .isEqualTo("http");
    assertThat(table.select(InMemoryRequest.get("h", "/x").header("content-type", "application/json"), 0).name())
        .isEqualTo("http");
    assertThat(table.select(InMemoryRequest.get("h", "/x"), 0).name()).isEqualTo("http");
  }

  @Test
  void timeoutDefaultsTo15sAndZeroDisables() {
    assertThat(table(route("c", prefix("/"))).select(InMemoryRequest.get("h", "/"), 0).timeout())
        .isEqualTo(java.time.Duration.ofSeconds(15));
    RouteTable zero = table(withAction(RouteAction.newBuilder().setCluster("c").setTimeout(Duration.newBuilder())));
    assertThat(zero.select(InMemoryRequest.get("h", "/"), 0).timeout()).isEqualTo(java.time.Duration.ZERO);
    RouteTable custom =
        table(withAction(RouteAction.newBuilder().setCluster("c").setTimeout(Duration.newBuilder().setSeconds(2).setNanos(500_000_000))));
    assertThat(custom.select(InMemoryRequest.get("h", "/"), 0).timeout()).isEqualTo(java.time.Duration.ofMillis(2500));
  }

  @Test
  void retryPolicyIsCompiledOntoTheRoute() {
    RetryPolicy policy = RetryPolicy.newBuilder().setRetryOn("5xx").build();
    Route route =
        table(withAction(RouteAction.newBuilder().setCluster("c").setRetryPolicy(policy)))
            .select(InMemoryRequest.get("h", "/"), 0);
    assertThat(route.retryPolicy().retryOn()).isEqualTo(io.mesh4j.runtime.policy.RetryOn.FIVE_XX);
    assertThat(route.retryPolicy().numRetries()).isEqualTo(1);
    assertThat(table(route("c", prefix("/"))).select(InMemoryRequest.get("h", "/"), 0).retryPolicy()).isNull();
  }

  private static io.envoyproxy.envoy.config.route.v3.Route withAction(RouteAction.Builder action) {
    return io.envoyproxy.envoy.config.route.v3.Route.newBuilder().setMatch(prefix("/")).setRoute(action).build();
  }
}

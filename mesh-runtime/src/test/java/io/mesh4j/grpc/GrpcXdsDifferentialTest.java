package io.mesh4j.grpc;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.BehavingGrpcServer;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The same xDS resources, from one java-control-plane, drive a mesh4j channel and a channel of grpc-java's own xDS
 * implementation ({@code xds:///}, grpc-xds on the same classpath): both must make the same routing decisions. The
 * resources have the shape grpc-xds requires (API listener, HCM with the router filter, RDS, EDS clusters). Both
 * channels share one process, which also shows the two coexist: grpc-xds keeps {@code xds:}, mesh4j claims no scheme.
 */
class GrpcXdsDifferentialTest {
  /**
   * grpc-xds reads its bootstrap once per JVM (the system property below), so one control plane serves the class,
   * and each test routes its own target so that no xDS state carries over between tests.
   */
  private static final String BOOTSTRAP_PROPERTY = "io.grpc.xds.bootstrapConfig";
  private static LoopbackControlPlane controlPlane;

  private String target;
  private NamedGrpcServer v1;
  private NamedGrpcServer v2;
  private Mesh mesh;
  private ManagedChannel ours;
  private ManagedChannel grpcXds;

  @BeforeAll
  static void startControlPlane() {
    controlPlane = LoopbackControlPlane.start();
    System.setProperty(BOOTSTRAP_PROPERTY, controlPlane.bootstrapJson());
  }

  @AfterAll
  static void stopControlPlane() {
    System.clearProperty(BOOTSTRAP_PROPERTY);
    controlPlane.close();
  }

  @BeforeEach
  void start(TestInfo test) {
    target = test.getTestMethod().orElseThrow().getName().toLowerCase(java.util.Locale.ROOT) + ".mesh:9090";
    v1 = NamedGrpcServer.start("v1");
    v2 = NamedGrpcServer.start("v2");
  }

  @AfterEach
  void stop() {
    if (ours != null) {
      ours.shutdownNow();
    }
    if (grpcXds != null) {
      grpcXds.shutdownNow();
    }
    if (mesh != null) {
      mesh.close();
    }
    v1.close();
    v2.close();
  }

  private void startChannels(RouteConfiguration routes) {
    startChannels(XdsResources.rdsHcm("catalog-routes"), routes,
        List.of(edsCluster("catalog-v1"), edsCluster("catalog-v2")),
        List.of(cla("catalog-v1", v1.hostPort()), cla("catalog-v2", v2.hostPort())));
  }

  private void startChannels(HttpConnectionManager hcm, RouteConfiguration routes,
      List<io.envoyproxy.envoy.config.cluster.v3.Cluster> clusters, List<ClusterLoadAssignment> clas) {
    controlPlane.setSnapshot(target, List.of(apiListener(target, hcm)), List.of(routes), clusters, clas);
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(Duration.ofSeconds(10)).build();
    ours = MeshGrpc.newChannel(mesh, "mesh:///" + target);
    grpcXds = Grpc.newChannelBuilder("xds:///" + target, InsecureChannelCredentials.create()).build();
  }

  private RouteConfiguration routes(Route... routes) {
    return RouteConfiguration.newBuilder().setName("catalog-routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("catalog").addDomains(target).addAllRoutes(List.of(routes)))
        .build();
  }

  private static Route route(RouteMatch.Builder match, String cluster) {
    return Route.newBuilder().setMatch(match).setRoute(RouteAction.newBuilder().setCluster(cluster)).build();
  }

  private static String call(Channel channel, MethodDescriptor<String, String> method, Map<String, String> metadata) {
    Metadata headers = new Metadata();
    metadata.forEach((k, v) -> headers.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
    return ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(channel,
        MetadataUtils.newAttachHeadersInterceptor(headers)), method,
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "hi");
  }

  /** Where each of a few calls goes, per channel; deterministic routes must agree exactly. */
  private void assertSameDecisions(List<Map.Entry<MethodDescriptor<String, String>, Map<String, String>>> calls) {
    for (Map.Entry<MethodDescriptor<String, String>, Map<String, String>> c : calls) {
      String theirs = call(grpcXds, c.getKey(), c.getValue());
      String mine = call(ours, c.getKey(), c.getValue());
      assertThat(mine).as("%s %s", c.getKey().getFullMethodName(), c.getValue()).isEqualTo(theirs);
    }
  }

  @Test
  void pathRoutingAgrees() {
    startChannels(routes(
        route(RouteMatch.newBuilder().setPath("/test.Echo/Other"), "catalog-v2"),
        route(RouteMatch.newBuilder().setPrefix("/test.Echo/"), "catalog-v1")));
    assertSameDecisions(List.of(
        Map.entry(NamedGrpcServer.HELLO, Map.of()),
        Map.entry(NamedGrpcServer.OTHER, Map.of()),
        Map.entry(NamedGrpcServer.HELLO, Map.of())));
    assertThat(call(ours, NamedGrpcServer.OTHER, Map.of())).isEqualTo("v2");
  }

  @Test
  void headerRoutingAgreesIncludingPrefixInvertAndContentType() {
    startChannels(routes(
        route(RouteMatch.newBuilder().setPrefix("/").addHeaders(HeaderMatcher.newBuilder().setName("x-user")
            .setStringMatch(StringMatcher.newBuilder().setPrefix("beta-"))), "catalog-v2"),
        route(RouteMatch.newBuilder().setPrefix("/").addHeaders(HeaderMatcher.newBuilder().setName("x-region")
            .setInvertMatch(true).setStringMatch(StringMatcher.newBuilder().setExact("eu"))), "catalog-v2"),
        route(RouteMatch.newBuilder().setPrefix("/").addHeaders(HeaderMatcher.newBuilder().setName("content-type")
            .setStringMatch(StringMatcher.newBuilder().setExact("application/json"))), "catalog-v2"),
        route(RouteMatch.newBuilder().setPrefix("/"), "catalog-v1")));
    assertSameDecisions(List.of(
        Map.entry(NamedGrpcServer.HELLO, Map.of("x-user", "beta-ann", "x-region", "eu")),
        Map.entry(NamedGrpcServer.HELLO, Map.of("x-user", "ann", "x-region", "eu")),
        Map.entry(NamedGrpcServer.HELLO, Map.of("x-region", "us")),
        Map.entry(NamedGrpcServer.HELLO, Map.of("x-region", "eu")),
        Map.entry(NamedGrpcServer.HELLO, Map.of())));
  }

  @Test
  void weightedSplitsAgreeWithinTolerance() {
    startChannels(routes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(RouteAction.newBuilder().setWeightedClusters(WeightedCluster.newBuilder()
            .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("catalog-v1").setWeight(UInt32Value.of(70)))
            .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("catalog-v2").setWeight(UInt32Value.of(30)))))
        .build()));
    int n = 300;
    Map<String, Integer> mine = new HashMap<>();
    Map<String, Integer> theirs = new HashMap<>();
    for (int i = 0; i < n; i++) {
      mine.merge(call(ours, NamedGrpcServer.HELLO, Map.of()), 1, Integer::sum);
      theirs.merge(call(grpcXds, NamedGrpcServer.HELLO, Map.of()), 1, Integer::sum);
    }
    // Each count is Binomial(300, 0.7): sd 7.9. Each within 5 sd of 210; their difference (sd 11.2) within 5 sd.
    assertThat(mine.getOrDefault("v1", 0)).isBetween(170, 250);
    assertThat(theirs.getOrDefault("v1", 0)).isBetween(170, 250);
    assertThat(Math.abs(mine.getOrDefault("v1", 0) - theirs.getOrDefault("v1", 0))).isLessThanOrEqualTo(56);
  }

  @Test
  void retriesAgree() {
    try (BehavingGrpcServer flaky = BehavingGrpcServer.start("b")) {
      Route retrying = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
          .setRoute(RouteAction.newBuilder().setCluster("catalog-b").setRetryPolicy(RetryPolicy.newBuilder()
              .setRetryOn("unavailable").setNumRetries(UInt32Value.of(2))
              .setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(Durations.fromMillis(5)))))
          .build();
      startChannels(HttpConnectionManagerOf.rds(), routes(retrying),
          List.of(edsCluster("catalog-b")), List.of(cla("catalog-b", flaky.hostPort())));
      CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);

      // The first attempt fails UNAVAILABLE, the retry succeeds: both channels succeed, both retries say so.
      String theirs = ClientCalls.blockingUnaryCall(grpcXds, BehavingGrpcServer.UNARY, options, "fail-first:1:UNAVAILABLE");
      assertThat(flaky.previousAttempts()).containsExactly(0, 1);
      flaky.clear();
      String mine = ClientCalls.blockingUnaryCall(ours, BehavingGrpcServer.UNARY, options, "fail-first:1:UNAVAILABLE");
      assertThat(mine).isEqualTo(theirs).isEqualTo("b:1");
      assertThat(flaky.previousAttempts()).containsExactly(0, 1);

      // INTERNAL is not in retry_on: neither retries.
      flaky.clear();
      Status.Code theirCode = codeOf(() -> ClientCalls.blockingUnaryCall(
          grpcXds, BehavingGrpcServer.UNARY, options, "fail-first:1:INTERNAL"));
      Status.Code myCode = codeOf(() -> ClientCalls.blockingUnaryCall(
          ours, BehavingGrpcServer.UNARY, options, "fail-first:1:INTERNAL"));
      assertThat(myCode).isEqualTo(theirCode).isEqualTo(Status.Code.INTERNAL);
      assertThat(flaky.previousAttempts()).containsExactly(0, 0);
    }
  }

  @Test
  void faultAbortsAgree() {
    HTTPFault abort = HTTPFault.newBuilder().setAbort(FaultAbort.newBuilder()
        .setGrpcStatus(Status.Code.UNAVAILABLE.value())
        .setPercentage(FractionalPercent.newBuilder().setNumerator(100))).build();
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setRds(Rds.newBuilder().setRouteConfigName("catalog-routes").setConfigSource(XdsResources.ads()))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.fault").setTypedConfig(Any.pack(abort)))
        .addHttpFilters(XdsResources.routerFilter())
        .build();
    startChannels(hcm, routes(route(RouteMatch.newBuilder().setPrefix("/"), "catalog-v1")),
        List.of(edsCluster("catalog-v1")), List.of(cla("catalog-v1", v1.hostPort())));
    for (int i = 0; i < 3; i++) {
      Status.Code theirs = codeOf(() -> call(grpcXds, NamedGrpcServer.HELLO, Map.of()));
      Status.Code mine = codeOf(() -> call(ours, NamedGrpcServer.HELLO, Map.of()));
      assertThat(mine).isEqualTo(theirs).isEqualTo(Status.Code.UNAVAILABLE);
    }
    assertThat(v1.lastAuthority()).isNull(); // no call reached the server
  }

  private static Status.Code codeOf(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    return Status.Code.OK;
  }

  /** The default HCM: RDS and the router. */
  private static final class HttpConnectionManagerOf {
    static HttpConnectionManager rds() {
      return XdsResources.rdsHcm("catalog-routes");
    }
  }
}

package io.mesh4j.grpc;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.mesh4j.Mesh;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import io.mesh4j.runtime.testing.NamedHttpServer;
import io.mesh4j.runtime.testing.XdsResources;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gRPC calls routed by a real control plane to real gRPC servers on loopback, through the shared engine. */
class GrpcMeshIntegrationTest {
  private static final String TARGET = "catalog.mesh:9090";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private LoopbackControlPlane controlPlane;
  private NamedGrpcServer v1;
  private NamedGrpcServer v2;
  private Mesh mesh;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    v1 = NamedGrpcServer.start("v1");
    v2 = NamedGrpcServer.start("v2");
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (mesh != null) {
      mesh.close();
    }
    controlPlane.close();
    v1.close();
    v2.close();
  }

  private void startMesh(OutboundTrafficPolicy policy, String target) {
    mesh = Mesh.builder()
        .bootstrapJson(controlPlane.bootstrapJson())
        .listenerWait(WAIT)
        .outboundTrafficPolicy(policy)
        .build();
    channel = MeshGrpc.newChannel(mesh, target);
  }

  private void startMesh() {
    startMesh(OutboundTrafficPolicy.ALLOW_ANY, "mesh:///" + TARGET);
  }

  private void serve(String version, RouteConfiguration routes) {
    controlPlane.setSnapshot(version,
        List.of(apiListener(TARGET, "catalog-routes")),
        List.of(routes),
        List.of(edsCluster("catalog-v1"), edsCluster("catalog-v2")),
        List.of(cla("catalog-v1", v1.hostPort()), cla("catalog-v2", v2.hostPort())));
  }

  private static RouteConfiguration routes(Route... routes) {
    return RouteConfiguration.newBuilder().setName("catalog-routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("catalog").addDomains(TARGET).addAllRoutes(List.of(routes)))
        .build();
  }

  private static Route prefixTo(String prefix, String cluster) {
    return Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix(prefix))
        .setRoute(RouteAction.newBuilder().setCluster(cluster)).build();
  }

  private static Route headerTo(String name, String exact, String cluster) {
    return Route.newBuilder()
        .setMatch(RouteMatch.newBuilder().setPrefix("/").addHeaders(HeaderMatcher.newBuilder()
            .setName(name).setStringMatch(StringMatcher.newBuilder().setExact(exact))))
        .setRoute(RouteAction.newBuilder().setCluster(cluster)).build();
  }

  private String call(MethodDescriptor<String, String> method, Map<String, String> metadata, String request) {
    Metadata headers = new Metadata();
    metadata.forEach((k, v) -> {
      if (k.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        headers.put(Metadata.Key.of(k, Metadata.BINARY_BYTE_MARSHALLER), v.getBytes(StandardCharsets.UTF_8));
      } else {
        headers.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v);
      }
    });
    return ClientCalls.blockingUnaryCall(
        io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
        method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
  }

  private String hello() {
    return call(NamedGrpcServer.HELLO, Map.of(), "hi");
  }

  @Test
  void routesByFullMethodNameKeepingTheMeshAuthority() {
    serve("1", routes(prefixTo("/test.Echo/Other", "catalog-v2"), prefixTo("/", "catalog-v1")));
    startMesh();

    for (int i = 0; i < 10; i++) {
      assertThat(hello()).isEqualTo("v1");
      assertThat(call(NamedGrpcServer.OTHER, Map.of(), "hi")).isEqualTo("v2");
    }
    assertThat(v1.lastAuthority()).isEqualTo(TARGET);
    assertThat(v2.lastAuthority()).isEqualTo(TARGET);
    // One connection per endpoint, shared by every call sent there.
    assertThat(((io.mesh4j.runtime.grpc.MeshChannel) channel).endpointAddresses())
        .containsExactlyInAnyOrder(v1.hostPort(), v2.hostPort());
  }

  @Test
  void routesByMetadataAndIgnoresBinaryHeaders() {
    serve("1", routes(
        headerTo("x-feature", "new-search", "catalog-v2"),
        headerTo("x-trace-bin", "on", "catalog-v2"),
        prefixTo("/", "catalog-v1")));
    startMesh();

    for (int i = 0; i < 5; i++) {
      assertThat(call(NamedGrpcServer.HELLO, Map.of("x-feature", "new-search"), "hi")).isEqualTo("v2");
      assertThat(call(NamedGrpcServer.HELLO, Map.of("x-feature", "old-search"), "hi")).isEqualTo("v1");
      // gRFC A28: -bin headers are invisible to header matchers.
      assertThat(call(NamedGrpcServer.HELLO, Map.of("x-trace-bin", "on"), "hi")).isEqualTo("v1");
    }
  }

  @Test
  void aWeightedSplitConvergesToItsWeights() {
    Route split = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(RouteAction.newBuilder().setWeightedClusters(WeightedCluster.newBuilder()
            .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("catalog-v1").setWeight(UInt32Value.of(80)))
            .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("catalog-v2").setWeight(UInt32Value.of(20)))))
        .build();
    serve("1", routes(split));
    startMesh();

    Map<String, Integer> counts = new HashMap<>();
    int n = 400;
    for (int i = 0; i < n; i++) {
      counts.merge(hello(), 1, Integer::sum);
    }
    // Binomial(400, 0.8): mean 320, standard deviation 8; 5 sigma either side makes a false failure ~1e-6.
    assertThat(counts.getOrDefault("v1", 0)).isBetween(280, 360);
    assertThat(counts.getOrDefault("v1", 0) + counts.getOrDefault("v2", 0)).isEqualTo(n);
  }

  @Test
  void followsRouteChanges() {
    serve("1", routes(prefixTo("/", "catalog-v1")));
    startMesh();
    assertThat(hello()).isEqualTo("v1");

    serve("2", routes(prefixTo("/", "catalog-v2")));
    await().atMost(WAIT).until(this::hello, "v2"::equals);
    for (int i = 0; i < 10; i++) {
      assertThat(hello()).isEqualTo("v2");
    }
  }

  @Test
  void applicationStatusesPassThroughUntouched() {
    serve("1", routes(prefixTo("/", "catalog-v1")));
    startMesh();

    assertThatThrownBy(() -> call(NamedGrpcServer.HELLO, Map.of(), "fail:NOT_FOUND"))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void noMatchingRouteFailsUnavailableNamingTheReason() {
    serve("1", routes(prefixTo("/test.Echo/Other", "catalog-v1")));
    startMesh();

    assertThatThrownBy(this::hello).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).contains("NO_ROUTE").contains("/test.Echo/Hello");
    });
    assertThat(call(NamedGrpcServer.OTHER, Map.of(), "hi")).isEqualTo("v1");
  }

  @Test
  void asyncCallsThatCannotBeRoutedCloseOnTheirExecutorAndCancelBeforeStartIsHonoured() throws Exception {
    serve("1", routes(prefixTo("/test.Echo/Other", "catalog-v1")));
    startMesh();

    java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newSingleThreadExecutor(
        r -> new Thread(r, "app-callbacks"));
    try {
      java.util.concurrent.CompletableFuture<String> closedOn = new java.util.concurrent.CompletableFuture<>();
      io.grpc.ClientCall<String, String> call = channel.newCall(NamedGrpcServer.HELLO,
          CallOptions.DEFAULT.withExecutor(executor).withDeadlineAfter(10, TimeUnit.SECONDS));
      call.start(new io.grpc.ClientCall.Listener<>() {
        @Override
        public void onClose(Status status, Metadata trailers) {
          closedOn.complete(Thread.currentThread().getName() + " " + status.getCode());
        }
      }, new Metadata());
      call.sendMessage("hi"); // ignored after a local close, as on a failed gRPC call
      call.halfClose();
      call.request(1);
      assertThat(closedOn.get(10, TimeUnit.SECONDS)).isEqualTo("app-callbacks UNAVAILABLE");

      java.util.concurrent.CompletableFuture<Status> cancelled = new java.util.concurrent.CompletableFuture<>();
      io.grpc.ClientCall<String, String> early = channel.newCall(NamedGrpcServer.OTHER, CallOptions.DEFAULT);
      early.cancel("changed my mind", null);
      early.start(new io.grpc.ClientCall.Listener<>() {
        @Override
        public void onClose(Status status, Metadata trailers) {
          cancelled.complete(status);
        }
      }, new Metadata());
      assertThat(cancelled.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void aClusterWithoutEndpointsFailsUnavailableNoHealthyUpstream() {
    controlPlane.setSnapshot("1",
        List.of(apiListener(TARGET, "catalog-routes")),
        List.of(routes(prefixTo("/", "catalog-v1"))),
        List.of(edsCluster("catalog-v1")),
        List.of(cla("catalog-v1")));
    startMesh();

    assertThatThrownBy(this::hello).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).contains("NO_HEALTHY_UPSTREAM");
    });
  }

  @Test
  void aTargetOutsideTheMeshIsCalledDirectlyUnderAllowAnyAndRefusedUnderRegistryOnly() throws InterruptedException {
    serve("1", routes(prefixTo("/", "catalog-v1")));
    startMesh(OutboundTrafficPolicy.ALLOW_ANY, v2.hostPort());
    assertThat(hello()).isEqualTo("v2");
    channel.shutdownNow();
    mesh.close();

    startMesh(OutboundTrafficPolicy.REGISTRY_ONLY, v2.hostPort());
    assertThatThrownBy(this::hello).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).contains("NOT_IN_MESH");
    });
  }

  @Test
  void aShutDownChannelOrAClosedMeshRefusesCalls() {
    serve("1", routes(prefixTo("/", "catalog-v1")));
    startMesh();
    assertThat(hello()).isEqualTo("v1");

    mesh.close();
    assertThatThrownBy(this::hello).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getDescription()).contains("MESH_CLOSED"));
    channel.shutdown();
    assertThat(channel.isShutdown()).isTrue();
    assertThatThrownBy(this::hello).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void grpcAndOkHttpShareOneEngineAndOneSubscription() throws Exception {
    NamedHttpServer http = NamedHttpServer.start("http-v1");
    try {
      controlPlane.setSnapshot("1",
          List.of(apiListener(TARGET, "catalog-routes")),
          List.of(routes(prefixTo("/test.Echo/", "catalog-v1"), prefixTo("/", "catalog-http"))),
          List.of(edsCluster("catalog-v1"), edsCluster("catalog-http")),
          List.of(cla("catalog-v1", v1.hostPort()), cla("catalog-http", http.hostPort())));
      startMesh();
      OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();

      assertThat(hello()).isEqualTo("v1");
      try (Response response = client.newCall(new Request.Builder().url("http://" + TARGET + "/items").build()).execute()) {
        assertThat(response.body().string()).isEqualTo("http-v1");
      }
      assertThat(mesh.status().resources()).filteredOn(r -> r.typeUrl().equals(XdsResources.LDS)).hasSize(1);
    } finally {
      http.close();
    }
  }

  @Test
  void rejectsTargetsThatAreNotHostPort() {
    serve("1", routes(prefixTo("/", "catalog-v1")));
    startMesh();
    assertThatThrownBy(() -> MeshGrpc.newChannel(mesh, "xds:///" + TARGET)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MeshGrpc.newChannel(mesh, "")).isInstanceOf(IllegalArgumentException.class);
  }
}

package io.mesh4j.grpc;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.admin.v3.ClientResourceStatus;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.service.status.v3.ClientConfig.GenericXdsConfig;
import io.envoyproxy.envoy.service.status.v3.ClientStatusDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.status.v3.ClientStatusRequest;
import io.envoyproxy.envoy.service.status.v3.ClientStatusResponse;
import io.envoyproxy.envoy.type.matcher.v3.NodeMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import io.mesh4j.runtime.testing.XdsResources;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CSDS over a real gRPC server, read with the generated CSDS client as grpcdebug reads it. */
class CsdsServiceTest {
  private static final String TARGET = "catalog.mesh:9090";
  private static final String ABSENT = "absent.mesh:9090";

  private LoopbackControlPlane controlPlane;
  private NamedGrpcServer backend;
  private Mesh mesh;
  private ManagedChannel meshChannel;
  private Server admin;
  private ManagedChannel adminChannel;

  @BeforeEach
  void start() throws Exception {
    controlPlane = LoopbackControlPlane.start();
    backend = NamedGrpcServer.start("v1");
    controlPlane.setSnapshot("1",
        List.of(apiListener(TARGET, "catalog-routes")),
        List.of(routeConfig("catalog-routes", TARGET, "catalog")),
        List.of(edsCluster("catalog")),
        List.of(cla("catalog", backend.hostPort())));
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(Duration.ofSeconds(10)).build();
    meshChannel = MeshGrpc.newChannel(mesh, TARGET);
    admin = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(MeshGrpc.csdsService(mesh)).build().start();
    adminChannel = Grpc.newChannelBuilder("127.0.0.1:" + admin.getPort(), InsecureChannelCredentials.create()).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    adminChannel.shutdownNow();
    admin.shutdownNow();
    meshChannel.shutdownNow();
    mesh.close();
    controlPlane.close();
    backend.close();
  }

  private String hello(io.grpc.Channel channel) {
    return ClientCalls.blockingUnaryCall(channel, NamedGrpcServer.HELLO,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi");
  }

  private Map<String, GenericXdsConfig> fetch() {
    ClientStatusResponse response = ClientStatusDiscoveryServiceGrpc.newBlockingStub(adminChannel)
        .fetchClientStatus(ClientStatusRequest.getDefaultInstance());
    assertThat(response.getConfigCount()).isEqualTo(1);
    assertThat(response.getConfig(0).getNode().getId()).isEqualTo("test-node");
    return response.getConfig(0).getGenericXdsConfigsList().stream()
        .collect(Collectors.toMap(c -> c.getTypeUrl() + " " + c.getName(), Function.identity()));
  }

  @Test
  void reportsEveryResourceWithVersionStatusAndTheResourceItself() throws Exception {
    assertThat(hello(meshChannel)).isEqualTo("v1");

    Map<String, GenericXdsConfig> configs = fetch();
    assertThat(configs).containsOnlyKeys(
        XdsResources.LDS + " " + TARGET, XdsResources.RDS + " catalog-routes",
        XdsResources.CDS + " catalog", XdsResources.EDS + " catalog");
    GenericXdsConfig listener = configs.get(XdsResources.LDS + " " + TARGET);
    assertThat(listener.getClientStatus()).isEqualTo(ClientResourceStatus.ACKED);
    assertThat(listener.getVersionInfo()).isEqualTo("1");
    assertThat(listener.hasLastUpdated()).isTrue();
    assertThat(listener.getXdsConfig().unpack(Listener.class).getName()).isEqualTo(TARGET);
    assertThat(listener.hasErrorState()).isFalse();
  }

  @Test
  void aRejectedUpdateIsNackedWithItsErrorWhileTheLastGoodResourceStays() throws Exception {
    assertThat(hello(meshChannel)).isEqualTo("v1");
    RouteConfiguration badRegex = RouteConfiguration.newBuilder().setName("catalog-routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("v").addDomains("*").addRoutes(Route.newBuilder()
            .setMatch(RouteMatch.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex("/(")))
            .setRoute(RouteAction.newBuilder().setCluster("catalog"))))
        .build();
    controlPlane.setSnapshot("2",
        List.of(apiListener(TARGET, "catalog-routes")), List.of(badRegex),
        List.of(edsCluster("catalog")), List.of(cla("catalog", backend.hostPort())));

    String key = XdsResources.RDS + " catalog-routes";
    await().atMost(Duration.ofSeconds(30))
        .until(() -> fetch().get(key).getClientStatus() == ClientResourceStatus.NACKED);
    GenericXdsConfig routes = fetch().get(key);
    assertThat(routes.getVersionInfo()).isEqualTo("1");
    assertThat(routes.getErrorState().getDetails()).contains("catalog-routes").contains("safe_regex");
    assertThat(routes.getErrorState().getVersionInfo()).isEqualTo("2"); // Envoy's meaning: the rejected version
    assertThat(routes.getXdsConfig().unpack(RouteConfiguration.class).getVirtualHosts(0).getRoutes(0).hasRoute())
        .isTrue();
    // The same view as JSON.
    assertThat(mesh.status().toJson()).contains("\"name\":\"catalog-routes\"").contains("\"state\":\"NACKED\"");
  }

  @Test
  void aListenerTheControlPlaneDoesNotHaveIsDoesNotExist() {
    ManagedChannel absent = MeshGrpc.newChannel(mesh, ABSENT);
    try {
      assertThatThrownBy(() -> hello(absent)).isInstanceOf(StatusRuntimeException.class); // direct: nothing listens
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        GenericXdsConfig c = fetch().get(XdsResources.LDS + " " + ABSENT);
        return c != null && c.getClientStatus() == ClientResourceStatus.DOES_NOT_EXIST;
      });
      assertThat(fetch().get(XdsResources.LDS + " " + ABSENT).hasXdsConfig()).isFalse();
    } finally {
      absent.shutdownNow();
    }
  }

  @Test
  void theStreamAnswersEachRequestAndNodeMatchersAreRefused() throws Exception {
    assertThat(hello(meshChannel)).isEqualTo("v1");
    LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
    StreamObserver<ClientStatusRequest> requests = ClientStatusDiscoveryServiceGrpc.newStub(adminChannel)
        .streamClientStatus(new StreamObserver<>() {
          @Override
          public void onNext(ClientStatusResponse value) {
            received.add(value);
          }

          @Override
          public void onError(Throwable t) {
            received.add(t);
          }

          @Override
          public void onCompleted() {
            received.add("completed");
          }
        });
    requests.onNext(ClientStatusRequest.getDefaultInstance());
    requests.onNext(ClientStatusRequest.getDefaultInstance());
    for (int i = 0; i < 2; i++) {
      Object response = received.poll(10, TimeUnit.SECONDS);
      assertThat(response).isInstanceOf(ClientStatusResponse.class);
      assertThat(((ClientStatusResponse) response).getConfig(0).getGenericXdsConfigsCount()).isEqualTo(4);
    }
    requests.onCompleted();
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("completed");

    assertThatThrownBy(() -> ClientStatusDiscoveryServiceGrpc.newBlockingStub(adminChannel)
        .fetchClientStatus(ClientStatusRequest.newBuilder().addNodeMatchers(NodeMatcher.getDefaultInstance()).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }
}

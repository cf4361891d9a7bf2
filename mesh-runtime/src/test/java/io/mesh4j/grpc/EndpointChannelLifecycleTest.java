package io.mesh4j.grpc;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.mesh4j.Mesh;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.runtime.grpc.MeshChannel;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gRPC endpoint channels follow the config: a channel whose endpoint left is released, and the mesh's close
 * shuts every one down.
 */
class EndpointChannelLifecycleTest {
  private static final String TARGET = "catalog.mesh:9090";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int SERVERS = 4;
  /** 127.0.0.2 ... 127.0.0.251 all reach a server listening on every address: 250 distinct endpoints per server. */
  private static final int ADDRESSES_PER_SERVER = 250;
  private static final int ENDPOINTS_PER_UPDATE = 10;

  private LoopbackControlPlane controlPlane;
  private final List<NamedGrpcServer> servers = new ArrayList<>();
  private Mesh mesh;
  private MeshChannel channel;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    for (int i = 0; i < SERVERS; i++) {
      servers.add(NamedGrpcServer.start("s" + i));
    }
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
    servers.forEach(NamedGrpcServer::close);
  }

  /** Endpoint {@code k} of the churn: a distinct loopback address and port for every k below 1,000. */
  private String endpoint(int k) {
    NamedGrpcServer server = servers.get(k / ADDRESSES_PER_SERVER);
    return "127.0.0." + (2 + k % ADDRESSES_PER_SERVER) + ":" + server.port();
  }

  private List<String> round(int round) {
    List<String> endpoints = new ArrayList<>();
    for (int i = 0; i < ENDPOINTS_PER_UPDATE; i++) {
      endpoints.add(endpoint(round * ENDPOINTS_PER_UPDATE + i));
    }
    return endpoints;
  }

  private void serve(int version, List<String> endpoints) {
    controlPlane.setSnapshot(Integer.toString(version), List.of(apiListener(TARGET, "routes")),
        List.of(routeConfig("routes", TARGET, "catalog")), List.of(edsCluster("catalog")),
        List.of(cla("catalog", endpoints.toArray(new String[0]))));
  }

  private void startMesh() {
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT)
        .outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY).build();
    channel = (MeshChannel) MeshGrpc.newChannel(mesh, TARGET);
  }

  private String hello() {
    return ClientCalls.blockingUnaryCall(channel, NamedGrpcServer.HELLO,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi");
  }

  @Test
  void churningAThousandEndpointsKeepsTheChannelCacheToTheCurrentOnes() {
    int rounds = SERVERS * ADDRESSES_PER_SERVER / ENDPOINTS_PER_UPDATE;
    serve(0, round(0));
    startMesh();
    for (int r = 0; r < rounds; r++) {
      List<String> current = round(r);
      serve(r, current);
      // Calls go on until one lands on this round's endpoints, i.e. the mesh routes by the new assignment.
      await().atMost(WAIT).until(() -> {
        hello();
        return channel.endpointAddresses().stream().anyMatch(current::contains);
      });
      for (int i = 0; i < ENDPOINTS_PER_UPDATE; i++) {
        assertThat(hello()).isEqualTo(servers.get(r * ENDPOINTS_PER_UPDATE / ADDRESSES_PER_SERVER).name());
      }
      // The previous round's channels are released once the assembler has told the channel of the new config.
      await().atMost(WAIT).untilAsserted(() -> assertThat(channel.endpointAddresses()).isSubsetOf(current));
      assertThat(channel.endpointChannelCount()).isLessThanOrEqualTo(ENDPOINTS_PER_UPDATE);
    }
  }

  @Test
  void closingTheMeshShutsDownEveryEndpointChannel() throws InterruptedException {
    serve(1, List.of(servers.get(0).hostPort(), servers.get(1).hostPort()));
    startMesh();
    for (int i = 0; i < 4; i++) {
      hello();
    }
    assertThat(channel.endpointChannelCount()).isEqualTo(2);
    assertThat(channel.isShutdown()).isFalse();

    mesh.close();

    assertThat(channel.isShutdown()).isTrue();
    // Terminated: every endpoint channel let its connection go.
    assertThat(channel.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(this::hello).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    // A channel asked for after the close is born shut down.
    assertThat(MeshGrpc.newChannel(mesh, TARGET).isShutdown()).isTrue();
  }
}

package io.mesh4j.samples.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.TlsResources;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.samples.interop.proto.LoadBalancerAccumulatedStatsRequest;
import io.mesh4j.samples.interop.proto.LoadBalancerAccumulatedStatsResponse;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsRequest;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both sides of the mesh on one control plane, as psm-interop's security tests run them: the interop client sends
 * through its own mesh (the cluster's istiod-shaped {@code UpstreamTlsContext}: mutual TLS with its workload
 * certificate) to the interop server's mesh-served port (PERMISSIVE, the authz rules as RBAC); the server authorizes
 * the client by the SPIFFE ID in its certificate. Over gRPC to {@code --port} and over OkHttp to {@code --http_port}.
 * The cluster's SNI is istiod's ({@code outbound_.8080_._.<host>}), which JSSE on Java 17 refuses unless the
 * server's {@code server_name} extension is disabled, as InteropMain does and this module's tests do.
 */
class InteropClientToMeshServedServerTest {
  private static final String CLUSTER = "outbound|8080||server.interop";
  @TempDir Path serverCerts;
  @TempDir Path clientCerts;

  @ParameterizedTest
  @ValueSource(strings = {"grpc", "okhttp"})
  void theServerAuthorizesTheInteropClientByItsCertificate(String transport) throws IOException {
    try (MeshServedInterop interop = new MeshServedInterop(serverCerts)) {
      interop.client.writeIstioFiles(clientCerts, interop.root.certificate());
      int port = transport.equals("grpc") ? interop.grpcPort : interop.httpPort;
      List<Listener> server = List.of(authz(interop.grpcPort), authz(interop.httpPort));
      interop.serveWithClientResources(server,
          List.of(XdsResources.apiListener(InteropHarness.TARGET, InteropHarness.ROUTES)),
          List.of(InteropHarness.routes(InteropHarness.prefixTo("/", CLUSTER))),
          List.of(TlsResources.tlsCluster(CLUSTER, TlsResources.istioMtls("default",
              "outbound_.8080_._.server.interop", MeshServedInterop.NS + "server"))),
          List.of(XdsResources.cla(CLUSTER, "127.0.0.1:" + port)));

      assertThat(sent(interop, transport, "match-principal")).containsOnlyKeys(Status.Code.OK.value());
      assertThat(sent(interop, transport, "principal-present")).containsOnlyKeys(Status.Code.OK.value());
      assertThat(sent(interop, transport, "never-match-principal"))
          .containsOnlyKeys(Status.Code.PERMISSION_DENIED.value());
    }
  }

  private static Listener authz(int port) {
    return MeshServedInterop.permissive(port, MeshServedInterop.hcm(
        Map.entry("envoy.filters.http.rbac", (Message) InteropServerAuthzTest.authzRules("ALLOW", port))), true);
  }

  /** Runs the interop client with {@code test: <value>} on UnaryCall; the results of 10 RPCs by status code. */
  private Map<Integer, Integer> sent(MeshServedInterop interop, String transport, String test) throws IOException {
    try (Mesh mesh = Mesh.builder().bootstrapJson(TlsResources.withFileWatcher(
            interop.controlPlane.bootstrapJson(), "default", clientCerts, "600s"))
            .listenerWait(Duration.ofSeconds(30)).build();
        InteropClient client = InteropClient.start(new InteropClient.Options(InteropHarness.TARGET, 0, 20, 1,
            "UnaryCall", "UnaryCall:test:" + test, 20, false, transport), mesh, () -> { })) {
      ManagedChannel stats = Grpc.newChannelBuilder("127.0.0.1:" + client.statsPort(),
          InsecureChannelCredentials.create()).build();
      try {
        LoadBalancerStatsResponse sample = ClientCalls.blockingUnaryCall(stats, InteropServices.GET_CLIENT_STATS,
            CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS),
            LoadBalancerStatsRequest.newBuilder().setNumRpcs(10).setTimeoutSec(50).build());
        assertThat(sample.getRpcsByPeerMap().values().stream().mapToInt(Integer::intValue).sum()
            + sample.getNumFailures()).as("10 RPCs were sent").isEqualTo(10);
        LoadBalancerAccumulatedStatsResponse accumulated = ClientCalls.blockingUnaryCall(stats,
            InteropServices.GET_CLIENT_ACCUMULATED_STATS, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
            LoadBalancerAccumulatedStatsRequest.getDefaultInstance());
        return accumulated.getStatsPerMethodOrThrow("UNARY_CALL").getResultMap();
      } finally {
        stats.shutdownNow();
      }
    }
  }
}

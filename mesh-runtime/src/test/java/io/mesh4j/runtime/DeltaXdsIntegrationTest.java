package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.mesh4j.Mesh;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import io.mesh4j.runtime.testing.NamedHttpServer;
import io.mesh4j.runtime.testing.XdsResources;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OkHttp and gRPC calls routed from incremental xDS (server feature {@code mesh4j_delta_xds}). */
class DeltaXdsIntegrationTest {
  private static final String HTTP_TARGET = "catalog.mesh:8080";
  private static final String GRPC_TARGET = "echo.mesh:9090";
  private static final Duration WAIT = Duration.ofSeconds(20);

  private LoopbackControlPlane controlPlane;
  private NamedHttpServer v1;
  private NamedHttpServer v2;
  private NamedGrpcServer grpc;
  private Mesh mesh;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    v1 = NamedHttpServer.start("v1");
    v2 = NamedHttpServer.start("v2");
    grpc = NamedGrpcServer.start("grpc");
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
    grpc.close();
  }

  private void serve(String version, String httpCluster) {
    controlPlane.setSnapshot(version,
        List.of(apiListener(HTTP_TARGET, "http-routes"), apiListener(GRPC_TARGET, "grpc-routes")),
        List.of(routeConfig("http-routes", HTTP_TARGET, httpCluster), routeConfig("grpc-routes", GRPC_TARGET, "g")),
        List.of(edsCluster("v1"), edsCluster("v2"), edsCluster("g")),
        List.of(cla("v1", v1.hostPort()), cla("v2", v2.hostPort()), cla("g", grpc.hostPort())));
  }

  private String http(OkHttpClient client) throws IOException {
    try (Response response = client.newCall(new Request.Builder().url("http://" + HTTP_TARGET + "/").build())
        .execute()) {
      assertThat(response.code()).isEqualTo(200);
      return response.body().string();
    }
  }

  @Test
  void routesFromDeltaResponsesAndFollowsChanges() throws IOException {
    serve("1", "v1");
    mesh = Mesh.builder()
        .bootstrapJson(controlPlane.bootstrapJson().replace("\"xds_v3\"", "\"xds_v3\", \"mesh4j_delta_xds\""))
        .listenerWait(WAIT).outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY).build();
    OkHttpClient client = mesh.okHttp(new OkHttpClient.Builder()).build();
    channel = MeshGrpc.newChannel(mesh, GRPC_TARGET);

    assertThat(http(client)).isEqualTo("v1");
    assertThat(ClientCalls.blockingUnaryCall(channel, NamedGrpcServer.HELLO,
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "hi")).isEqualTo("grpc");
    assertThat(controlPlane.requests()).isEmpty(); // all of it over the delta stream
    assertThat(controlPlane.deltaRequests(XdsResources.LDS)).isNotEmpty();

    serve("2", "v2");
    await().atMost(WAIT).until(() -> http(client).equals("v2"));
    assertThat(mesh.status().resources()).extracting(ResourceStatus::state).containsOnly(ResourceState.ACKED);
  }
}

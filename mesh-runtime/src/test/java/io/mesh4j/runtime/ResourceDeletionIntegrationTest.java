package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.CDS;
import static io.mesh4j.runtime.testing.XdsResources.LDS;
import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mesh4j.Mesh;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedHttpServer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRFC A53 / Envoy: a listener or cluster the control plane stops sending is deleted and stops routing, unless the
 * server has {@code ignore_resource_deletion}, in which case the client keeps it.
 */
class ResourceDeletionIntegrationTest {
  private static final String TARGET = "catalog.mesh:8080";
  private static final Duration WAIT = Duration.ofSeconds(20);

  private LoopbackControlPlane controlPlane;
  private NamedHttpServer backend;
  private Mesh mesh;
  private OkHttpClient client;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    backend = NamedHttpServer.start("v1");
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "routes")),
        List.of(routeConfig("routes", TARGET, "catalog")), List.of(edsCluster("catalog")),
        List.of(cla("catalog", backend.hostPort())));
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    controlPlane.close();
    backend.close();
  }

  private void startMesh(String bootstrapJson) {
    mesh = Mesh.builder().bootstrapJson(bootstrapJson).listenerWait(WAIT)
        .outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY).build();
    client = mesh.okHttp(new OkHttpClient.Builder()).build();
  }

  private String call() throws IOException {
    try (Response response = client.newCall(new Request.Builder().url("http://" + TARGET + "/").build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      return response.body().string();
    }
  }

  private Reason failure() {
    try {
      call();
      return null;
    } catch (MeshRoutingException e) {
      return e.reason();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private ResourceStatus status(String typeUrl, String name) {
    return mesh.status().resources().stream().filter(s -> s.typeUrl().equals(typeUrl) && s.name().equals(name))
        .findFirst().orElseThrow();
  }

  @Test
  void aRemovedClusterAnswersNoClusterAndARemovedListenerLeavesTheMesh() throws IOException {
    startMesh(controlPlane.bootstrapJson());
    assertThat(call()).isEqualTo("v1");

    // The cluster goes while the route still names it: 503 NC, as in Envoy.
    controlPlane.setSnapshot("2", List.of(apiListener(TARGET, "routes")),
        List.of(routeConfig("routes", TARGET, "catalog")), List.of(), List.of());
    await().atMost(WAIT).until(() -> failure() == Reason.NO_CLUSTER);
    assertThat(status(CDS, "catalog").state()).isEqualTo(ResourceState.DOES_NOT_EXIST);

    // The listener goes: the host is no longer in the mesh (refused under REGISTRY_ONLY).
    controlPlane.setSnapshot("3", List.of(), List.of(), List.of(), List.of());
    await().atMost(WAIT).until(() -> failure() == Reason.NOT_IN_MESH);
    assertThat(status(LDS, TARGET).state()).isEqualTo(ResourceState.DOES_NOT_EXIST);
    assertThatThrownBy(this::call).isInstanceOf(MeshRoutingException.class).hasMessageContaining(TARGET);
  }

  @Test
  void withIgnoreResourceDeletionTheRemovedListenerAndClusterKeepRouting() throws IOException {
    startMesh(controlPlane.bootstrapJson().replace("\"xds_v3\"", "\"xds_v3\", \"ignore_resource_deletion\""));
    assertThat(call()).isEqualTo("v1");

    controlPlane.setSnapshot("2", List.of(), List.of(), List.of(), List.of());
    // Both removals have been received and ACKed: the client made up its mind about them.
    await().atMost(WAIT).until(() -> "2".equals(versionAcked(LDS)) && "2".equals(versionAcked(CDS)));
    assertThat(call()).isEqualTo("v1");
    assertThat(status(LDS, TARGET).state()).isEqualTo(ResourceState.ACKED);
    assertThat(status(CDS, "catalog").state()).isEqualTo(ResourceState.ACKED);
    assertThat(status(CDS, "catalog").version()).isEqualTo("1");

    // Sent again later, it is updated as usual.
    controlPlane.setSnapshot("3", List.of(apiListener(TARGET, "routes")),
        List.of(routeConfig("routes", TARGET, "catalog")), List.of(edsCluster("catalog")),
        List.of(cla("catalog", backend.hostPort())));
    await().atMost(WAIT).until(() -> "3".equals(status(CDS, "catalog").version()));
    assertThat(call()).isEqualTo("v1");
  }

  private String versionAcked(String typeUrl) {
    var last = controlPlane.lastRequest(typeUrl);
    return last == null || last.hasErrorDetail() ? null : last.getVersionInfo();
  }
}

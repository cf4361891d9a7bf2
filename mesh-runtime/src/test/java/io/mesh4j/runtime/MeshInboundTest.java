package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.LDS;
import static io.mesh4j.runtime.testing.XdsResources.RDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mesh4j.Mesh;
import io.mesh4j.MeshConfigurationException;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.InboundPort;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.ServerListeners;
import io.mesh4j.runtime.testing.TestInboundRequest;
import io.mesh4j.runtime.testing.XdsResources;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A mesh's server listeners, opened through its internals, beside its client listeners on the same stream. */
class MeshInboundTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String NAME = ServerListeners.name("0.0.0.0:8080");
  private static final ConnectionFacts PLAIN = new ConnectionFacts(new InetSocketAddress("127.0.0.1", 8080),
      new InetSocketAddress("127.0.0.1", 40000), ConnectionFacts.RAW_BUFFER, null, List.of());

  private LoopbackControlPlane controlPlane;
  private Mesh mesh;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    controlPlane.close();
  }

  @Test
  void openingAServerWithoutTheTemplateFailsNamingTheBootstrapField() {
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).build();
    assertThatThrownBy(() -> MeshInternals.of(mesh).inbound().open(8080))
        .isInstanceOf(MeshConfigurationException.class)
        .hasMessageStartingWith("bootstrap: server_listener_resource_name_template: missing");
  }

  @Test
  void serverListenersAndTheirRoutesAreListedInTheStatusAndCsdsBesideClientListeners() throws Exception {
    mesh = Mesh.builder().bootstrapJson(ServerListeners.withServerTemplate(controlPlane.bootstrapJson()))
        .listenerWait(WAIT).build();
    controlPlane.setSnapshot("1",
        List.of(ServerListeners.listener(NAME, "0.0.0.0", 8080)
                .addFilterChains(ServerListeners.chain("inbound", null, null, XdsResources.rdsHcm("inbound-routes")))
                .build(),
            XdsResources.apiListener("catalog:8080", "catalog-routes")),
        List.of(ServerListeners.allowAll("inbound-routes"),
            XdsResources.routeConfig("catalog-routes", "catalog:8080", "catalog")),
        List.of(XdsResources.edsCluster("catalog")), List.of(XdsResources.cla("catalog", "127.0.0.1:1")));

    InboundPort port = MeshInternals.of(mesh).inbound().open(8080);
    port.ready().toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    assertThat(port.chainFor(PLAIN).handle(TestInboundRequest.post("catalog:8080", "/items"))).isNull();

    // A client listener on the same stream, decoded by the same listener type, still routes.
    io.mesh4j.runtime.engine.RoutingDecision decision = MeshInternals.of(mesh).engine()
        .route("catalog:8080", io.mesh4j.runtime.view.InMemoryRequest.get("catalog:8080", "/items"));
    assertThat(decision.cluster().name()).isEqualTo("catalog");
    decision.complete();
    await().atMost(WAIT).until(() -> state(LDS, NAME) == ResourceState.ACKED
        && state(RDS, "inbound-routes") == ResourceState.ACKED);
    assertThat(MeshInternals.of(mesh).xdsClient().dump()).anySatisfy(dump -> {
      assertThat(dump.status().name()).isEqualTo(NAME);
      assertThat(dump.resource()).isNotNull();
    });
    assertThat(mesh.status().toJson()).contains(NAME);

    port.close();
    await().atMost(WAIT).until(() -> state(LDS, NAME) == null);
  }

  private ResourceState state(String typeUrl, String name) {
    return mesh.status().resources().stream()
        .filter(s -> s.typeUrl().equals(typeUrl) && s.name().equals(name))
        .map(ResourceStatus::state).findFirst().orElse(null);
  }
}

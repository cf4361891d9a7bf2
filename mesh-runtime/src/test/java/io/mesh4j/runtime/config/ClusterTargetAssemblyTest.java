package io.mesh4j.runtime.config;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.xds.XdsClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clusters followed by name ({@link ConfigAssembler#subscribeCluster}), against a real control plane: one no route
 * names gets its CDS and EDS, one a route names shares that route's runtime (one set of breakers and LB state), one
 * that does not exist is said so, and endpoint changes and removal follow the control plane.
 */
class ClusterTargetAssemblyTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final LoopbackAssembly loopback = LoopbackAssembly.start();
  private final LoopbackControlPlane controlPlane = loopback.controlPlane;
  private final XdsClient xds = loopback.xds;
  private final ConfigAssembler assembler = loopback.assembler;

  @AfterEach
  void stop() {
    loopback.close();
  }

  private void serve(String version, String jwksEndpoint, boolean withJwksCluster) {
    controlPlane.setSnapshot(version, List.of(apiListener("svc:80", "routes")),
        List.of(routeConfig("routes", "*", "svc")),
        withJwksCluster ? List.of(edsCluster("svc"), edsCluster("jwks")) : List.of(edsCluster("svc")),
        withJwksCluster ? List.of(cla("svc", "127.0.0.1:1001"), cla("jwks", jwksEndpoint))
            : List.of(cla("svc", "127.0.0.1:1001")));
  }

  private ClusterTarget followed(String name) throws Exception {
    return assembler.subscribeCluster(name).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void followsClustersByNameWhateverTheRoutesName() throws Exception {
    serve("1", "127.0.0.1:2001", true);
    TargetConfig.Routed routed =
        (TargetConfig.Routed) assembler.subscribe("svc:80").get(WAIT.toSeconds(), TimeUnit.SECONDS);

    ClusterTarget jwks = followed("jwks");
    assertThat(jwks.exists()).isTrue();
    assertThat(LoopbackAssembly.hostPorts(jwks.runtime())).containsExactly("127.0.0.1:2001");
    assertThat(routed.clusters()).doesNotContainKey("jwks");

    // Named by a route too: the same runtime, so the same breakers, outlier state and load balancing.
    assertThat(followed("svc").runtime()).isSameAs(routed.clusters().get("svc"));

    assertThat(followed("absent").exists()).isFalse();

    serve("2", "127.0.0.1:2002", true);
    await().atMost(WAIT).until(() -> LoopbackAssembly.hostPorts(assembler.snapshot().clusterTarget("jwks").runtime())
        .equals(List.of("127.0.0.1:2002")));

    serve("3", null, false);
    await().atMost(WAIT).until(() -> !assembler.snapshot().clusterTarget("jwks").exists());
    assertThat(assembler.snapshot().target("svc:80")).isInstanceOf(TargetConfig.Routed.class);
  }
}

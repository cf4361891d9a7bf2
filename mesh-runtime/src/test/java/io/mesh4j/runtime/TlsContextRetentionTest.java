package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mesh4j.runtime.bootstrap.BootstrapParser;
import io.mesh4j.runtime.config.ConfigAssembler;
import io.mesh4j.runtime.config.TargetConfig;
import io.mesh4j.runtime.security.MeshSecurity;
import io.mesh4j.runtime.security.UpstreamTls;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.RecordingSubscriptions;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import io.mesh4j.runtime.xds.XdsClient;
import io.mesh4j.runtime.model.UpstreamTlsConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The TLS context of a cluster is built, and its SDS secrets watched, before a request can route to the cluster. */
class TlsContextRetentionTest {
  private static final String TARGET = "catalog.mesh:8443";
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/catalog";
  private static final String OTHER_ID = "spiffe://cluster.local/ns/shop/sa/catalog-v2";

  private final TestPki.Ca root = TestPki.root("root");
  private LoopbackControlPlane controlPlane;
  private ScheduledExecutorService scheduler;
  private XdsClient xds;
  private MeshSecurity security;
  private ConfigAssembler assembler;
  private ExecutorService requests;
  private RecordingSubscriptions recording;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "routes")), List.of(routeConfig("routes", TARGET,
            "catalog")), List.of(TlsResources.tlsCluster("catalog", TlsResources.sds("cert", "roots", ID))),
        List.of(cla("catalog", "127.0.0.1:1")), List.of(
            TlsResources.certificateSecret("cert", root.leaf("spiffe://cluster.local/ns/shop/sa/frontend")),
            TlsResources.rootsSecret("roots", TestPki.pem(root.certificate()))));
    scheduler = Executors.newSingleThreadScheduledExecutor();
    xds = XdsClient.newBuilder(BootstrapParser.parse(controlPlane.bootstrapJson(), "test"), scheduler).build();
    RecordingSubscriptions recording = new RecordingSubscriptions(xds);
    security = MeshSecurity.start(Map.of(), recording, scheduler, Clock.systemUTC());
    assembler = new ConfigAssembler(recording, MeshRuntime.RESOURCE_TYPES, target -> target, () -> 7);
    assembler.listen(new TlsContextRetention(security));
    requests = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "request-thread"));
    this.recording = recording;
  }

  @AfterEach
  void stop() {
    requests.shutdownNow();
    assembler.close();
    security.close();
    xds.close();
    scheduler.shutdownNow();
    controlPlane.close();
  }

  @Test
  void theFirstRequestFindsTheClustersTlsContextBuiltAndItsSecretsWatched() throws Exception {
    // What a transport does on the first call: wait for the target's config, then ask for the cluster's context.
    UpstreamTls tls = requests.submit(() -> {
      TargetConfig.Routed config = (TargetConfig.Routed) assembler.subscribe(TARGET).get(30, TimeUnit.SECONDS);
      UpstreamTlsConfig wanted = config.clusters().get("catalog").cluster().tls();
      return security.upstream(wanted);
    }).get(60, TimeUnit.SECONDS);

    assertThat(security.upstreamCount()).isEqualTo(1);
    assertThat(security.sdsWatchCount()).isEqualTo(2);
    assertThat(recording.watchingThreads()).containsOnly("mesh4j-config");
    assertThat(tls.awaitReady(Duration.ofSeconds(30))).isNull();
  }

  @Test
  void aRequestStillOnAnOlderConfigGetsAReleasedContextWithoutTheMeshKeepingIt() throws Exception {
    UpstreamTlsConfig first = requests.submit(() -> {
      TargetConfig.Routed config = (TargetConfig.Routed) assembler.subscribe(TARGET).get(30, TimeUnit.SECONDS);
      return config.clusters().get("catalog").cluster().tls();
    }).get(60, TimeUnit.SECONDS);
    controlPlane.setSnapshot("2", List.of(apiListener(TARGET, "routes")), List.of(routeConfig("routes", TARGET,
            "catalog-2")), List.of(TlsResources.tlsCluster("catalog-2", TlsResources.sds("cert", "roots", OTHER_ID))),
        List.of(cla("catalog-2", "127.0.0.1:1")), List.of(
            TlsResources.certificateSecret("cert", root.leaf("spiffe://cluster.local/ns/shop/sa/frontend")),
            TlsResources.rootsSecret("roots", TestPki.pem(root.certificate()))));
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      TargetConfig.Routed config = (TargetConfig.Routed) assembler.subscribe(TARGET).get(30, TimeUnit.SECONDS);
      return config.clusters().containsKey("catalog-2") && security.upstreamCount() == 1;
    });

    // A request that picked "catalog" from the first config before the route moved, asking only now.
    UpstreamTls late = requests.submit(() -> security.upstream(first)).get(60, TimeUnit.SECONDS);

    assertThat(late).isNotNull();
    assertThat(security.upstreamCount()).isEqualTo(1);
    assertThat(security.sdsWatchCount()).isEqualTo(2);
  }
}

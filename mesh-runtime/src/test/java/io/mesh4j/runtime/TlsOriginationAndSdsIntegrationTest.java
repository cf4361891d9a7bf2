package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.mesh4j.Mesh;
import io.mesh4j.MeshTlsHandshakeException;
import io.mesh4j.runtime.testing.ConnectionCountingProxy;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.config.MeshSnapshot;
import io.mesh4j.runtime.config.SnapshotListener;
import io.mesh4j.runtime.config.TargetConfig;
import io.mesh4j.runtime.security.MeshSecurity;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.MtlsHttpServer;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import io.mesh4j.runtime.testing.XdsResources;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TLS origination to an external service (DestinationRule SIMPLE), and mTLS with SDS secrets over ADS. */
class TlsOriginationAndSdsIntegrationTest {
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/catalog";
  private static final String TARGET = "api.example.com:9443";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final TestPki.Ca root = TestPki.root("root");
  private LoopbackControlPlane controlPlane;
  private MtlsHttpServer server;
  private Mesh mesh;
  private OkHttpClient client;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    if (server != null) {
      server.close();
    }
    controlPlane.close();
  }

  private void serve(String version, Cluster cluster, List<Secret> secrets) {
    controlPlane.setSnapshot(version, List.of(apiListener(TARGET, "routes")),
        List.of(routeConfig("routes", TARGET, cluster.getName())), List.of(cluster),
        List.of(cla(cluster.getName(), server.hostPort())), secrets);
    if (mesh == null) {
      mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT).build();
      client = mesh.okHttp(new OkHttpClient.Builder()).build();
    }
  }

  private String call() throws IOException {
    try (Response response = client.newCall(new Request.Builder().url("http://" + TARGET + "/").build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      return response.body().string();
    }
  }

  @Test
  void simpleTlsOriginationWithGivenRootsAndSni() throws IOException {
    server = MtlsHttpServer.start("external", root.leaf().dns("api.example.com").issue());
    serve("1", TlsResources.tlsCluster("outbound|443||api.example.com",
        TlsResources.simple(TestPki.pem(root.certificate()), "api.example.com")), List.of());

    assertThat(call()).isEqualTo("external");
    assertThat(server.lastSni()).isEqualTo("api.example.com");
    assertThat(server.lastClientSerial()).isNull();
  }

  @Test
  void simpleTlsRefusesAServerFromAnotherCa() {
    server = MtlsHttpServer.start("external", TestPki.root("other").leaf().dns("api.example.com").issue());
    serve("1", TlsResources.tlsCluster("outbound|443||api.example.com",
        TlsResources.simple(TestPki.pem(root.certificate()), "api.example.com")), List.of());

    assertThatThrownBy(this::call).isInstanceOfSatisfying(MeshTlsHandshakeException.class,
        e -> assertThat(e.failedCheck()).isEqualTo("UNKNOWN_CA"));
  }

  /**
   * A refused certificate costs one handshake per mesh attempt, as in Envoy: OkHttp's own connection retries (route
   * and TLS fallbacks, retry on connection failure) do not run under the mesh's attempt. Counted at the TCP level in
   * front of a real TLS server: every connection is one handshake.
   */
  @Test
  void aRefusedCertificateCostsOneHandshakePerCall() {
    server = MtlsHttpServer.start("external", TestPki.root("other").leaf().dns("api.example.com").issue());
    try (ConnectionCountingProxy proxy = ConnectionCountingProxy.to(server.port())) {
      Cluster cluster = TlsResources.tlsCluster("outbound|443||api.example.com",
          TlsResources.simple(TestPki.pem(root.certificate()), "api.example.com"));
      controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "routes")),
          List.of(routeConfig("routes", TARGET, cluster.getName())), List.of(cluster),
          List.of(cla(cluster.getName(), proxy.hostPort())), List.of());
      mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT).build();
      client = mesh.okHttp(new OkHttpClient.Builder()).build();

      for (int i = 1; i <= 3; i++) {
        assertThatThrownBy(this::call).isInstanceOfSatisfying(MeshTlsHandshakeException.class,
            e -> assertThat(e.failedCheck()).isEqualTo("UNKNOWN_CA"));
        assertThat(proxy.connections()).isEqualTo(i);
      }
    }
  }

  /**
   * Each version moves the route to a new cluster with secrets of its own, make-before-break as the xDS protocol asks
   * of a control plane (its "eventual consistency considerations"): the cluster the route leaves stays in CDS, with
   * its secrets, for one more version, and is removed only once no route names it. Removing it in the same snapshot
   * is not a hitless move for any client: this cache pushes CDS before RDS, and between the two the route still names
   * a cluster that no longer exists, which Envoy (and the mesh) answers 503 NC.
   */
  @Test
  void aClusterThatLeavesTakesItsTlsContextAndSdsWatchesWithIt() throws IOException {
    server = MtlsHttpServer.start("catalog", root.leaf(ID), root.certificate());
    String rootsPem = TestPki.pem(root.certificate());
    List<String> routedToMissingClusters = new CopyOnWriteArrayList<>();
    Cluster leaving = null;
    List<Secret> leavingSecrets = List.of();
    for (int v = 1; v <= 5; v++) {
      Cluster cluster = TlsResources.tlsCluster("catalog-" + v, TlsResources.sds("cert-" + v, "roots-" + v, ID));
      List<Secret> secrets = List.of(
          TlsResources.certificateSecret("cert-" + v, root.leaf("spiffe://cluster.local/ns/shop/sa/frontend")),
          TlsResources.rootsSecret("roots-" + v, rootsPem));
      List<Cluster> clusters = leaving == null ? List.of(cluster) : List.of(leaving, cluster);
      List<Secret> allSecrets = new ArrayList<>(leavingSecrets);
      allSecrets.addAll(secrets);
      controlPlane.setSnapshot(String.valueOf(v), List.of(apiListener(TARGET, "routes")),
          List.of(routeConfig("routes", TARGET, cluster.getName())), clusters,
          clusters.stream().map(c -> cla(c.getName(), server.hostPort())).toList(), allSecrets);
      if (mesh == null) {
        mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT).build();
        client = mesh.okHttp(new OkHttpClient.Builder()).build();
        MeshInternals.of(mesh).engine().listen(recordRoutesToMissingClusters(routedToMissingClusters));
      }
      MeshSecurity security = MeshInternals.of(mesh).security();
      String cert = "cert-" + v;
      String roots = "roots-" + v;
      await().atMost(WAIT).untilAsserted(() -> {
        client.connectionPool().evictAll();
        assertThat(call()).isEqualTo("catalog");
        assertThat(secretsWatched()).contains(cert);
      });
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(security.upstreamCount()).isEqualTo(1);
        assertThat(security.sdsWatchCount()).isEqualTo(2);
        assertThat(secretsWatched()).containsExactlyInAnyOrder(cert, roots);
      });
      // Checked on every config the mesh published, not only on what the calls happened to meet.
      assertThat(routedToMissingClusters).isEmpty();
      leaving = cluster;
      leavingSecrets = secrets;
    }
  }

  /** Notes every published config whose routes name a cluster it does not have. */
  private static SnapshotListener recordRoutesToMissingClusters(List<String> into) {
    return new SnapshotListener() {
      @Override
      public void published(MeshSnapshot snapshot) {
        for (TargetConfig config : snapshot.targets().values()) {
          if (config instanceof TargetConfig.Routed routed
              && !routed.clusters().keySet().containsAll(routed.routes().clusterNames())) {
            into.add(config.target() + " routes to " + routed.routes().clusterNames() + " but has only "
                + routed.clusters().keySet());
          }
        }
      }

      @Override
      public void closed() {}
    };
  }

  /** The SDS secrets the mesh's xDS client is subscribed to. */
  private List<String> secretsWatched() {
    return mesh.status().resources().stream()
        .filter(r -> r.typeUrl().endsWith("tls.v3.Secret"))
        .map(ResourceStatus::name)
        .toList();
  }

  @Test
  void mutualTlsFromSdsSecretsRotatesWhenTheSecretChanges() throws Exception {
    server = MtlsHttpServer.start("catalog", root.leaf(ID), root.certificate());
    Cluster cluster = TlsResources.tlsCluster("catalog", TlsResources.sds("default", "ROOTCA", ID));
    String rootsPem = TestPki.pem(root.certificate());
    TestPki.Leaf first = root.leaf("spiffe://cluster.local/ns/shop/sa/frontend");
    serve("1", cluster, List.of(TlsResources.certificateSecret("default", first),
        TlsResources.rootsSecret("ROOTCA", rootsPem)));
    assertThat(call()).isEqualTo("catalog");
    assertThat(server.lastClientSerial()).isEqualTo(first.certificate().getSerialNumber().toString(16));

    for (int i = 2; i <= 4; i++) {
      TestPki.Leaf next = root.leaf("spiffe://cluster.local/ns/shop/sa/frontend");
      serve(String.valueOf(i), cluster, List.of(TlsResources.certificateSecret("default", next),
          TlsResources.rootsSecret("ROOTCA", rootsPem)));
      String serial = next.certificate().getSerialNumber().toString(16);
      await().atMost(WAIT).untilAsserted(() -> {
        client.connectionPool().evictAll();
        assertThat(call()).isEqualTo("catalog");
        assertThat(server.clientSerials()).contains(serial);
      });
    }

    // A secret whose key does not match its certificate is NACKed; the last good one keeps serving.
    TestPki.Leaf broken = root.leaf("spiffe://cluster.local/ns/shop/sa/frontend");
    Secret mismatched = TlsResources.certificateSecret("default", broken).toBuilder()
        .setTlsCertificate(TlsResources.certificateSecret("default", broken).getTlsCertificate().toBuilder()
            .setPrivateKey(io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder()
                .setInlineString(root.leaf(ID).keyPem())))
        .build();
    serve("5", cluster, List.of(mismatched, TlsResources.rootsSecret("ROOTCA", rootsPem)));
    await().atMost(WAIT).until(() -> controlPlane.requests(
            "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret").stream()
        .anyMatch(r -> r.getErrorDetail().getMessage().contains("does not match certificate_chain[0]")));
    client.connectionPool().evictAll();
    assertThat(call()).isEqualTo("catalog");
    assertThat(XdsResources.CDS).isNotEmpty();
  }
}

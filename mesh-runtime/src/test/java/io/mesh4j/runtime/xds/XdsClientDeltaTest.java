package io.mesh4j.runtime.xds;

import static io.mesh4j.runtime.testing.XdsResources.CDS;
import static io.mesh4j.runtime.testing.XdsResources.LDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.bootstrap.BootstrapParser;
import io.mesh4j.runtime.cluster.ClusterType;
import io.mesh4j.runtime.listener.ListenerResource;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.XdsResources;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Incremental xDS ({@code mesh4j_delta_xds}) against java-control-plane's delta server. */
class XdsClientDeltaTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private LoopbackControlPlane cp;
  private ScheduledExecutorService scheduler;
  private XdsClient client;

  @BeforeEach
  void setUp() {
    cp = LoopbackControlPlane.start();
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    cp.close();
    scheduler.shutdownNow();
  }

  private void newClient(String... extraFeatures) {
    String features = "\"xds_v3\", \"mesh4j_delta_xds\"";
    for (String f : extraFeatures) {
      features += ", \"" + f + "\"";
    }
    client = XdsClient.newBuilder(BootstrapParser.parse(cp.bootstrapJson().replace("\"xds_v3\"", features), "t"),
            scheduler)
        .backoffPolicy(() -> () -> Duration.ofMillis(50).toNanos())
        .initialFetchTimeout(Duration.ofSeconds(60))
        .build();
  }

  private long cdsAcks() {
    return cp.deltaRequests(CDS).stream().filter(r -> !r.getResponseNonce().isEmpty() && !r.hasErrorDetail())
        .count();
  }

  private ResourceStatus status(String typeUrl, String name) {
    return client.status().stream().filter(s -> s.typeUrl().equals(typeUrl) && s.name().equals(name)).findFirst()
        .orElseThrow();
  }

  @Test
  void subscribesByNameAcksWithTheNonceAndUnsubscribes() {
    cp.setSnapshot("1", List.of(XdsResources.apiListener("a:80", "r1"), XdsResources.apiListener("b:80", "r1")),
        List.of(), List.of(), List.of());
    newClient();
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    RecordingWatcher<ListenerResource> b = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "a:80", a);
    client.watch(ListenerType.INSTANCE, "b:80", b);
    await().atMost(WAIT).until(() -> a.last() != null && b.last() != null);
    assertThat(status(LDS, "a:80").state()).isEqualTo(ResourceState.ACKED);
    assertThat(status(LDS, "a:80").source()).isEqualTo(cp.target());
    assertThat(cp.requests(LDS)).isEmpty(); // nothing went over the state-of-the-world stream

    List<DeltaDiscoveryRequest> requests = cp.deltaRequests(LDS);
    assertThat(requests.get(0).getNode().getId()).isEqualTo("test-node");
    assertThat(requests.get(0).getResourceNamesSubscribeList()).contains("a:80");
    assertThat(requests).flatExtracting(DeltaDiscoveryRequest::getResourceNamesSubscribeList)
        .containsExactlyInAnyOrder("a:80", "b:80");
    await().atMost(WAIT).until(() -> cp.deltaRequests(LDS).stream()
        .anyMatch(r -> !r.getResponseNonce().isEmpty() && !r.hasErrorDetail()));

    client.cancelWatch(ListenerType.INSTANCE, "b:80", b);
    await().atMost(WAIT).until(() -> cp.deltaRequests(LDS).stream()
        .anyMatch(r -> r.getResourceNamesUnsubscribeList().contains("b:80")));
    assertThat(client.status()).extracting(ResourceStatus::name).containsExactly("a:80");
  }

  /**
   * java-control-plane (like Envoy) treats LDS and CDS as wildcard on a delta stream: it sends every listener at
   * once and never again for a later subscription, so the client keeps what it was sent unasked.
   */
  @Test
  void aListenerSentUnaskedIsDeliveredWhenItIsWatchedLater() {
    cp.setSnapshot("1", List.of(XdsResources.apiListener("a:80", "r1"), XdsResources.apiListener("b:80", "r1")),
        List.of(), List.of(), List.of());
    newClient();
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "a:80", a);
    await().atMost(WAIT).until(() -> a.last() != null);
    await().atMost(WAIT).until(() -> cp.deltaRequests(LDS).stream().anyMatch(r -> !r.getResponseNonce().isEmpty()));
    RecordingWatcher<ListenerResource> b = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "b:80", b);
    await().atMost(WAIT).until(() -> b.last() != null);
    assertThat(status(LDS, "b:80").state()).isEqualTo(ResourceState.ACKED);
    assertThat(b.count("dne")).isZero();
  }

  @Test
  void updatesNacksAndRemovals() {
    cp.setSnapshot("1", List.of(XdsResources.apiListener("a:80", "r1"), XdsResources.apiListener("b:80", "r1")),
        List.of(), List.of(XdsResources.edsCluster("c1")), List.of());
    newClient();
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    RecordingWatcher<ListenerResource> b = new RecordingWatcher<>();
    RecordingWatcher<ClusterResource> c1 = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "a:80", a);
    client.watch(ListenerType.INSTANCE, "b:80", b);
    client.watch(ClusterType.INSTANCE, "c1", c1);
    await().atMost(WAIT).until(() -> a.last() != null && b.last() != null && c1.last() != null);

    // a changes, b turns invalid: a applied, b keeps its value and the NACK names it.
    cp.setSnapshot("2", List.of(XdsResources.apiListener("a:80", "r2"), Listener.newBuilder().setName("b:80").build()),
        List.of(), List.of(XdsResources.edsCluster("c1")), List.of());
    await().atMost(WAIT).until(() -> a.last().rdsRouteConfigName().equals("r2"));
    await().atMost(WAIT).until(() -> status(LDS, "b:80").state() == ResourceState.NACKED);
    assertThat(b.last().rdsRouteConfigName()).isEqualTo("r1");
    await().atMost(WAIT).until(() -> cp.deltaRequests(LDS).stream().anyMatch(DeltaDiscoveryRequest::hasErrorDetail));
    assertThat(cp.deltaRequests(LDS).stream().filter(DeltaDiscoveryRequest::hasErrorDetail).findFirst()
        .orElseThrow().getErrorDetail().getMessage()).contains("LDS resource 'b:80': api_listener");

    // The cluster goes: removed_resources deletes it.
    cp.setSnapshot("3", List.of(XdsResources.apiListener("a:80", "r2"), XdsResources.apiListener("b:80", "r3")),
        List.of(), List.of(), List.of());
    await().atMost(WAIT).until(c1::doesNotExist);
    await().atMost(WAIT).until(() -> b.last().rdsRouteConfigName().equals("r3"));
    assertThat(status(CDS, "c1").state()).isEqualTo(ResourceState.DOES_NOT_EXIST);
  }

  @Test
  void ignoreResourceDeletionKeepsARemovedClusterAndAReconnectionResubscribes() {
    cp.setSnapshot("1", List.of(XdsResources.apiListener("a:80", "r1")), List.of(),
        List.of(XdsResources.edsCluster("c1")), List.of());
    newClient("ignore_resource_deletion");
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    RecordingWatcher<ClusterResource> c1 = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "a:80", a);
    client.watch(ClusterType.INSTANCE, "c1", c1);
    await().atMost(WAIT).until(() -> a.last() != null && c1.last() != null);

    long cdsAcksBefore = cdsAcks();
    cp.setSnapshot("2", List.of(XdsResources.apiListener("a:80", "r2")), List.of(), List.of(), List.of());
    await().atMost(WAIT).until(() -> a.last().rdsRouteConfigName().equals("r2"));
    // The response that removed c1 was ACKed: the client has decided about it.
    await().atMost(WAIT).until(() -> cdsAcks() > cdsAcksBefore);
    assertThat(c1.count("dne")).isZero();
    assertThat(status(CDS, "c1").state()).isEqualTo(ResourceState.ACKED);

    cp.stop();
    await().atMost(WAIT).until(() -> !client.connected());
    cp.setSnapshot("3", List.of(XdsResources.apiListener("a:80", "r3")), List.of(),
        List.of(XdsResources.edsCluster("c1")), List.of());
    cp.restart();
    await().atMost(WAIT).until(() -> a.last().rdsRouteConfigName().equals("r3"));
    assertThat(client.connected()).isTrue();
  }
}

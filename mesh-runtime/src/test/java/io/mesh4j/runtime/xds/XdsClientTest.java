package io.mesh4j.runtime.xds;

import static io.mesh4j.runtime.testing.XdsResources.CDS;
import static io.mesh4j.runtime.testing.XdsResources.EDS;
import static io.mesh4j.runtime.testing.XdsResources.LDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.rpc.Code;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.bootstrap.BootstrapParser;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.cluster.ClusterType;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.cluster.EndpointType;
import io.mesh4j.runtime.listener.ListenerResource;
import io.mesh4j.runtime.listener.ListenerType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class XdsClientTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

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

  private XdsClient newClient(Duration initialFetchTimeout, String bootstrapJson) {
    client =
        XdsClient.newBuilder(BootstrapParser.parse(bootstrapJson, "test"), scheduler)
            .backoffPolicy(() -> () -> Duration.ofMillis(100).toNanos())
            .initialFetchTimeout(initialFetchTimeout)
            .build();
    return client;
  }

  private XdsClient newClient() {
    return newClient(Duration.ofSeconds(60), cp.bootstrapJson());
  }

  private static Listener brokenListener(String name) {
    return Listener.newBuilder().setName(name).build(); // no api_listener
  }

  private ResourceStatus status(String typeUrl, String name) {
    return client.status().stream()
        .filter(s -> s.typeUrl().equals(typeUrl) && s.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private DiscoveryResponse lastResponse(String typeUrl) {
    List<DiscoveryResponse> responses = cp.responses(typeUrl);
    return responses.get(responses.size() - 1);
  }

  @Test
  void acksWithTheResponsesVersionAndNonceAndSendsTheNodeFirst() {
    cp.setSnapshot("1", List.of(XdsResources.apiListener("catalog:8080", "catalog-routes")), List.of(), List.of(),
        List.of());
    RecordingWatcher<ListenerResource> watcher = new RecordingWatcher<>();
    newClient().watch(ListenerType.INSTANCE, "catalog:8080", watcher);

    await().atMost(WAIT).until(() -> watcher.last() != null);
    assertThat(watcher.last().rdsRouteConfigName()).isEqualTo("catalog-routes");
    await().atMost(WAIT).until(() -> cp.requests(LDS).size() >= 2);

    DiscoveryRequest first = cp.requests(LDS).get(0);
    assertThat(first.getNode().getId()).isEqualTo("test-node");
    assertThat(first.getResourceNamesList()).containsExactly("catalog:8080");
    assertThat(first.getVersionInfo()).isEmpty();
    assertThat(first.getResponseNonce()).isEmpty();

    DiscoveryRequest ack = cp.requests(LDS).get(1);
    assertThat(ack.getVersionInfo()).isEqualTo("1");
    assertThat(ack.getResponseNonce()).isEqualTo(lastResponse(LDS).getNonce());
    assertThat(ack.hasErrorDetail()).isFalse();
    assertThat(ack.hasNode()).isFalse();

    ResourceStatus status = status(LDS, "catalog:8080");
    assertThat(status.state()).isEqualTo(ResourceState.ACKED);
    assertThat(status.version()).isEqualTo("1");
    assertThat(status.lastUpdated()).isNotNull();
    await().atMost(WAIT).until(client::connected);
  }

  @Test
  void nacksABadResourceKeepsItsLastValueAndAppliesItsValidSiblings() {
    cp.setSnapshot("1", List.of(XdsResources.apiListener("a:80", "routes-a1"),
        XdsResources.apiListener("b:80", "routes-b1")), List.of(), List.of(), List.of());
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    RecordingWatcher<ListenerResource> b = new RecordingWatcher<>();
    newClient().watch(ListenerType.INSTANCE, "a:80", a);
    client.watch(ListenerType.INSTANCE, "b:80", b);
    await().atMost(WAIT).until(() -> a.last() != null && b.last() != null
        && "1".equals(status(LDS, "a:80").version()) && "1".equals(status(LDS, "b:80").version()));

    cp.setSnapshot("2", List.of(XdsResources.apiListener("a:80", "routes-a2"), brokenListener("b:80")), List.of(),
        List.of(), List.of());

    await().atMost(WAIT).until(() -> cp.lastRequest(LDS).hasErrorDetail());
    DiscoveryRequest nack = cp.lastRequest(LDS);
    assertThat(nack.getVersionInfo()).isEqualTo("1");
    assertThat(nack.getResponseNonce()).isEqualTo(lastResponse(LDS).getNonce());
    assertThat(nack.getErrorDetail().getCode()).isEqualTo(Code.INVALID_ARGUMENT_VALUE);
    assertThat(nack.getErrorDetail().getMessage())
        .isEqualTo("LDS resource 'b:80': api_listener: missing, and address: missing (neither a client nor a server "
            + "listener)");

    await().atMost(WAIT).until(() -> a.last().rdsRouteConfigName().equals("routes-a2"));
    assertThat(b.values).hasSize(1);
    assertThat(b.last().rdsRouteConfigName()).isEqualTo("routes-b1");
    assertThat(b.errors).singleElement().asString().contains("LDS resource 'b:80': api_listener");
    assertThat(b.count("dne")).isZero();

    ResourceStatus bStatus = status(LDS, "b:80");
    assertThat(bStatus.state()).isEqualTo(ResourceState.NACKED);
    assertThat(bStatus.version()).isEqualTo("1");
    assertThat(bStatus.errorDetail()).contains("api_listener: missing");
    assertThat(status(LDS, "a:80").state()).isEqualTo(ResourceState.ACKED);
    assertThat(status(LDS, "a:80").version()).isEqualTo("2");

    // The control plane fixes it: ACK, and b is back to ACKED.
    cp.setSnapshot("3", List.of(XdsResources.apiListener("a:80", "routes-a2"),
        XdsResources.apiListener("b:80", "routes-b3")), List.of(), List.of(), List.of());
    await().atMost(WAIT).until(() -> b.last().rdsRouteConfigName().equals("routes-b3"));
    await().atMost(WAIT).until(() -> cp.lastRequest(LDS).getVersionInfo().equals("3"));
    assertThat(cp.lastRequest(LDS).hasErrorDetail()).isFalse();
    assertThat(status(LDS, "b:80").state()).isEqualTo(ResourceState.ACKED);
    assertThat(a.values).hasSize(2); // a was unchanged in 3: not delivered again
  }

  @Test
  void aListenerOrClusterMissingFromAResponseDoesNotExist() {
    cp.setSnapshot("1", List.of(XdsResources.apiListener("a:80", "r")), List.of(),
        List.of(XdsResources.edsCluster("c1")), List.of());
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    RecordingWatcher<ListenerResource> missing = new RecordingWatcher<>();
    RecordingWatcher<ClusterResource> c1 = new RecordingWatcher<>();
    RecordingWatcher<ClusterResource> c2 = new RecordingWatcher<>();
    // Never-seen names (missing:80, c2) do not exist after the initial fetch timeout, as gRPC.
    newClient(Duration.ofMillis(500), cp.bootstrapJson()).watch(ListenerType.INSTANCE, "a:80", a);
    client.watch(ListenerType.INSTANCE, "missing:80", missing);
    client.watch(ClusterType.INSTANCE, "c1", c1);
    client.watch(ClusterType.INSTANCE, "c2", c2);

    await().atMost(WAIT).until(() -> missing.doesNotExist() && c2.doesNotExist() && a.last() != null
        && c1.last() != null);
    assertThat(status(LDS, "missing:80").state()).isEqualTo(ResourceState.DOES_NOT_EXIST);

    // Removed later: seen resources have no timer left, so only the response can say they are gone.
    cp.setSnapshot("2", List.of(), List.of(), List.of(), List.of());
    await().atMost(WAIT).until(() -> a.doesNotExist() && c1.doesNotExist());
    assertThat(status(CDS, "c1").state()).isEqualTo(ResourceState.DOES_NOT_EXIST);
  }

  @Test
  void withIgnoreResourceDeletionARemovedListenerIsKept() {
    cp.setSnapshot("1", List.of(XdsResources.apiListener("a:80", "r")), List.of(), List.of(), List.of());
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    RecordingWatcher<ListenerResource> never = new RecordingWatcher<>();
    newClient(Duration.ofMillis(500),
        cp.bootstrapJson().replace("\"xds_v3\"", "\"xds_v3\", \"ignore_resource_deletion\""))
        .watch(ListenerType.INSTANCE, "a:80", a);
    client.watch(ListenerType.INSTANCE, "never:80", never);
    await().atMost(WAIT).until(() -> a.last() != null && never.doesNotExist());

    cp.setSnapshot("2", List.of(XdsResources.apiListener("other:80", "r")), List.of(), List.of(), List.of());
    await().atMost(WAIT).until(() -> "2".equals(cp.lastRequest(LDS).getVersionInfo()));
    assertThat(a.count("dne")).isZero();
    assertThat(a.values).hasSize(1);
  }

  @Test
  void aResourceNeverSentDoesNotExistAfterTheInitialFetchTimeout() {
    // EDS: a missing name is not implied by the response; and LDS with no snapshot at all: never answered.
    cp.setSnapshot("1", List.of(), List.of(), List.of(), List.of(XdsResources.cla("c1", "10.0.0.1:80")));
    RecordingWatcher<EndpointResource> c1 = new RecordingWatcher<>();
    RecordingWatcher<EndpointResource> c2 = new RecordingWatcher<>();
    long start = System.nanoTime();
    newClient(Duration.ofMillis(700), cp.bootstrapJson()).watch(EndpointType.INSTANCE, "c1", c1);
    client.watch(EndpointType.INSTANCE, "c2", c2);

    await().atMost(WAIT).until(() -> c1.last() != null);
    assertThat(c2.events).isEmpty();
    await().atMost(WAIT).until(c2::doesNotExist);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
    assertThat(c1.count("dne")).isZero();
    assertThat(status(EDS, "c2").state()).isEqualTo(ResourceState.DOES_NOT_EXIST);
    assertThat(status(EDS, "c1").state()).isEqualTo(ResourceState.ACKED);

    // Once it appears, it is delivered.
    cp.setSnapshot("2", List.of(), List.of(), List.of(),
        List.of(XdsResources.cla("c1", "10.0.0.1:80"), XdsResources.cla("c2", "10.0.0.2:80")));
    await().atMost(WAIT).until(() -> c2.last() != null);
    assertThat(c2.last().localities().get(0).endpoints().get(0).host()).isEqualTo("10.0.0.2");
  }

  @Test
  void aListenerTheControlPlaneNeverAnswersForDoesNotExistAfterTheTimeout() {
    RecordingWatcher<ListenerResource> w = new RecordingWatcher<>(); // no snapshot: the server never answers
    newClient(Duration.ofMillis(300), cp.bootstrapJson()).watch(ListenerType.INSTANCE, "x:80", w);
    await().atMost(WAIT).until(w::doesNotExist);
    assertThat(status(LDS, "x:80").state()).isEqualTo(ResourceState.DOES_NOT_EXIST);
  }

  @Test
  void aNewWatcherOfAKnownResourceGetsTheCachedValueWithoutANewRequest() {
    cp.setSnapshot("1", List.of(XdsResources.apiListener("a:80", "r")), List.of(), List.of(), List.of());
    RecordingWatcher<ListenerResource> first = new RecordingWatcher<>();
    newClient(Duration.ofMillis(300), cp.bootstrapJson()).watch(ListenerType.INSTANCE, "a:80", first);
    await().atMost(WAIT).until(() -> first.last() != null && cp.requests(LDS).size() >= 2);
    int requests = cp.requests().size();

    RecordingWatcher<ListenerResource> second = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "a:80", second);
    await().atMost(WAIT).until(() -> second.last() != null);
    assertThat(second.last()).isEqualTo(first.last());
    assertThat(cp.requests()).hasSize(requests);

    // And a known-absent one: does-not-exist at once.
    RecordingWatcher<ListenerResource> gone = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "gone:80", gone);
    await().atMost(WAIT).until(gone::doesNotExist);
    RecordingWatcher<ListenerResource> goneToo = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "gone:80", goneToo);
    await().atMost(WAIT).until(goneToo::doesNotExist);
  }

  @Test
  void cancellingTheLastWatcherUnsubscribes() {
    cp.setSnapshot("1", List.of(XdsResources.apiListener("a:80", "r"), XdsResources.apiListener("b:80", "r")),
        List.of(), List.of(), List.of());
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    RecordingWatcher<ListenerResource> b = new RecordingWatcher<>();
    newClient().watch(ListenerType.INSTANCE, "a:80", a);
    client.watch(ListenerType.INSTANCE, "b:80", b);
    await().atMost(WAIT).until(() -> a.last() != null && b.last() != null);

    client.cancelWatch(ListenerType.INSTANCE, "b:80", b);
    await().atMost(WAIT).until(() -> cp.lastRequest(LDS).getResourceNamesList().equals(List.of("a:80")));
    assertThat(client.status()).extracting(ResourceStatus::name).containsExactly("a:80");
  }

  @Test
  void keepsTheLastConfigWhenTheControlPlaneGoesAwayAndResubscribesWhenItComesBack() {
    cp.setSnapshot("1", List.of(XdsResources.apiListener("a:80", "r1")), List.of(),
        List.of(XdsResources.edsCluster("c1")), List.of(XdsResources.cla("c1", "10.0.0.1:80")));
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    RecordingWatcher<ClusterResource> c1 = new RecordingWatcher<>();
    RecordingWatcher<EndpointResource> e1 = new RecordingWatcher<>();
    newClient(Duration.ofMillis(500), cp.bootstrapJson()).watch(ListenerType.INSTANCE, "a:80", a);
    client.watch(ClusterType.INSTANCE, "c1", c1);
    client.watch(EndpointType.INSTANCE, "c1", e1);
    await().atMost(WAIT).until(() -> a.last() != null && c1.last() != null && e1.last() != null
        && client.connected());

    cp.stop();
    await().atMost(WAIT).until(() -> !client.connected() && !a.errors.isEmpty());
    assertThat(a.errors.get(0)).contains("ADS stream to " + cp.target());
    // Longer than the initial fetch timeout: nothing is dropped while the control plane is away.
    await().pollDelay(Duration.ofMillis(800)).atMost(WAIT).until(() -> true);
    for (RecordingWatcher<?> w : List.of(a, c1, e1)) {
      assertThat(w.count("dne")).isZero();
      assertThat(w.values).hasSize(1);
    }
    assertThat(client.status()).extracting(ResourceStatus::state).containsOnly(ResourceState.ACKED);
    assertThat(a.errors).hasSize(1); // once per outage, not once per reconnection attempt

    int requestsBefore = cp.requests().size();
    cp.setSnapshot("2", List.of(XdsResources.apiListener("a:80", "r2")), List.of(),
        List.of(XdsResources.edsCluster("c1")), List.of(XdsResources.cla("c1", "10.0.0.9:80")));
    cp.restart();

    await().atMost(WAIT).until(() -> a.last().rdsRouteConfigName().equals("r2")
        && e1.last().localities().get(0).endpoints().get(0).host().equals("10.0.0.9"));
    assertThat(client.connected()).isTrue();
    assertThat(c1.values).hasSize(1); // same cluster: not delivered again
    List<DiscoveryRequest> resubscribed = cp.requests().subList(requestsBefore, cp.requests().size());
    DiscoveryRequest ldsAgain = resubscribed.stream().filter(r -> r.getTypeUrl().equals(LDS)).findFirst()
        .orElseThrow();
    assertThat(ldsAgain.getVersionInfo()).isEqualTo("1");
    assertThat(ldsAgain.getResponseNonce()).isEmpty();
    assertThat(ldsAgain.getResourceNamesList()).containsExactly("a:80");
    assertThat(resubscribed.get(0).getNode().getId()).isEqualTo("test-node");
    assertThat(resubscribed).extracting(DiscoveryRequest::getTypeUrl).contains(LDS, CDS, EDS);
  }

  @Test
  void reportsIgnoredFieldsOnce() {
    Cluster withLrs = XdsResources.edsCluster("c1").toBuilder()
        .setLrsServer(ConfigSource.newBuilder().setSelf(
            io.envoyproxy.envoy.config.core.v3.SelfConfigSource.getDefaultInstance()))
        .build();
    Cluster alsoLrs = withLrs.toBuilder().setName("c2").build();
    cp.setSnapshot("1", List.of(), List.of(), List.of(withLrs, alsoLrs), List.of());
    RecordingWatcher<ClusterResource> c1 = new RecordingWatcher<>();
    RecordingWatcher<ClusterResource> c2 = new RecordingWatcher<>();
    newClient().watch(ClusterType.INSTANCE, "c1", c1);
    client.watch(ClusterType.INSTANCE, "c2", c2);
    await().atMost(WAIT).until(() -> c1.last() != null && c2.last() != null);
    assertThat(client.ignoredFields()).containsExactly("CDS: lrs_server");
  }
}

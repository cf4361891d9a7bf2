package io.mesh4j.runtime.xds;

import static io.mesh4j.runtime.testing.XdsResources.CDS;
import static io.mesh4j.runtime.testing.XdsResources.LDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.bootstrap.BootstrapParser;
import io.mesh4j.runtime.cluster.ClusterType;
import io.mesh4j.runtime.listener.ListenerResource;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.runtime.xds.XdsClientStats.CacheState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client through control-plane loss and rejected updates: backoff, re-subscription, A78 stats, CSDS detail. */
class XdsClientControlPlaneLossTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private LoopbackControlPlane cp;
  private ScheduledExecutorService scheduler;
  private XdsClient client;
  /** Backoff delays handed out, counted: each one is a reconnection attempt scheduled. */
  private final AtomicInteger backoffs = new AtomicInteger();
  private final AtomicInteger policies = new AtomicInteger();

  @BeforeEach
  void setUp() {
    cp = LoopbackControlPlane.start();
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  private void newClient(Duration initialFetchTimeout) {
    client = XdsClient.newBuilder(BootstrapParser.parse(cp.bootstrapJson(), "test"), scheduler)
        .backoffPolicy(() -> {
          policies.incrementAndGet();
          return () -> {
            backoffs.incrementAndGet();
            return Duration.ofMillis(50).toNanos();
          };
        })
        .initialFetchTimeout(initialFetchTimeout)
        .build();
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    cp.close();
    scheduler.shutdownNow();
  }

  private ResourceStatus status(String typeUrl, String name) {
    return client.status().stream()
        .filter(s -> s.typeUrl().equals(typeUrl) && s.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void reconnectsWithTheInjectedBackoffAcceptsTheRestartedServersVersionsAndCountsOneFailurePerOutage() {
    cp.setSnapshot("7", List.of(XdsResources.apiListener("a:80", "r1")), List.of(),
        List.of(XdsResources.edsCluster("c1")), List.of());
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    RecordingWatcher<ClusterResource> c1 = new RecordingWatcher<>();
    newClient(Duration.ofSeconds(60)); // no resource may time out while the control plane is away
    client.watch(ListenerType.INSTANCE, "a:80", a);
    client.watch(ClusterType.INSTANCE, "c1", c1);
    await().atMost(WAIT).until(() -> a.last() != null && c1.last() != null && client.connected());
    String server = cp.target();
    XdsClientStats stats = client.stats();
    assertThat(stats.servers()).containsExactly(server);
    assertThat(stats.connected(server)).isTrue();
    assertThat(stats.serverFailures(server)).isZero();
    assertThat(stats.resourceUpdatesValid(server, LDS)).isEqualTo(1);
    assertThat(status(LDS, "a:80").source()).isEqualTo(server);

    cp.stop();
    // Several attempts fail while it is down: each is one backoff delay of the same run (one policy).
    int policiesBefore = policies.get();
    await().atMost(WAIT).until(() -> backoffs.get() >= 5);
    assertThat(client.connected()).isFalse();
    assertThat(stats.connected(server)).isFalse();
    assertThat(stats.serverFailures(server)).isEqualTo(1);
    assertThat(policies.get() - policiesBefore).isLessThanOrEqualTo(1);
    assertThat(a.errors).hasSize(1);
    assertThat(a.count("dne") + c1.count("dne")).isZero();
    assertThat(client.status()).extracting(ResourceStatus::state).containsOnly(ResourceState.ACKED);

    // The server restarts empty of history, on the same port, with a lower version number: accepted all the same.
    cp.setSnapshot("1", List.of(XdsResources.apiListener("a:80", "r2")), List.of(),
        List.of(XdsResources.edsCluster("c1")), List.of());
    cp.restart();
    await().atMost(WAIT).until(() -> a.last().rdsRouteConfigName().equals("r2"));
    await().atMost(WAIT).until(() -> "1".equals(status(CDS, "c1").version()));
    assertThat(client.connected()).isTrue();
    assertThat(stats.connected(server)).isTrue();
    assertThat(stats.serverFailures(server)).isEqualTo(1);
    assertThat(stats.resourceUpdatesValid(server, LDS)).isEqualTo(2);
    assertThat(c1.values).hasSize(1); // unchanged: not delivered again
  }

  @Test
  void aRejectedUpdateKeepsTheValueAndNamesTheRejectedVersionAndTheCacheStates() {
    cp.setSnapshot("1", List.of(XdsResources.apiListener("a:80", "r1"), XdsResources.apiListener("b:80", "r1")),
        List.of(), List.of(), List.of());
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    RecordingWatcher<ListenerResource> b = new RecordingWatcher<>();
    RecordingWatcher<ListenerResource> gone = new RecordingWatcher<>();
    newClient(Duration.ofSeconds(1)); // the server never answers for gone:80 nor for never
    client.watch(ListenerType.INSTANCE, "a:80", a);
    client.watch(ListenerType.INSTANCE, "b:80", b);
    client.watch(ListenerType.INSTANCE, "gone:80", gone);
    await().atMost(WAIT).until(() -> a.last() != null && b.last() != null && gone.doesNotExist());
    // How many responses carried them depends on how the subscriptions met the server's answers.
    long validBefore = client.stats().resourceUpdatesValid(cp.target(), LDS);
    assertThat(validBefore).isGreaterThanOrEqualTo(2);

    cp.setSnapshot("2", List.of(XdsResources.apiListener("a:80", "r2"), Listener.newBuilder().setName("b:80").build(),
        Listener.newBuilder().setName("gone:80").build()), List.of(), List.of(), List.of());
    await().atMost(WAIT).until(() -> status(LDS, "b:80").state() == ResourceState.NACKED
        && status(LDS, "gone:80").state() == ResourceState.NACKED && "2".equals(status(LDS, "a:80").version()));

    ResourceDump bDump = client.dump().stream().filter(d -> d.status().name().equals("b:80")).findFirst()
        .orElseThrow();
    assertThat(bDump.status().version()).isEqualTo("1");
    assertThat(bDump.rejectedVersion()).isEqualTo("2");
    assertThat(bDump.resource()).isNotNull();
    ResourceDump aDump = client.dump().stream().filter(d -> d.status().name().equals("a:80")).findFirst()
        .orElseThrow();
    assertThat(aDump.rejectedVersion()).isNull();

    XdsClientStats stats = client.stats();
    assertThat(stats.resources(LDS, CacheState.ACKED)).isEqualTo(1);
    assertThat(stats.resources(LDS, CacheState.NACKED_BUT_CACHED)).isEqualTo(1);
    assertThat(stats.resources(LDS, CacheState.NACKED)).isEqualTo(1); // never had a value
    assertThat(stats.resourceUpdatesInvalid(cp.target(), LDS)).isEqualTo(2);
    assertThat(stats.resourceUpdatesValid(cp.target(), LDS)).isEqualTo(validBefore + 1);

    RecordingWatcher<ClusterResource> never = new RecordingWatcher<>();
    client.watch(ClusterType.INSTANCE, "never", never); // no CDS snapshot: the server never answers for it
    await().atMost(WAIT).until(() -> stats.resources(CDS, CacheState.REQUESTED) == 1
        || stats.resources(CDS, CacheState.DOES_NOT_EXIST) == 1);
    await().atMost(WAIT).until(never::doesNotExist);
    assertThat(stats.resources(CDS, CacheState.DOES_NOT_EXIST)).isEqualTo(1);
  }
}

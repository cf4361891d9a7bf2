package io.mesh4j.runtime.xds;

import static io.mesh4j.runtime.testing.XdsResources.LDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.bootstrap.BootstrapParser;
import io.mesh4j.runtime.listener.ListenerResource;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.XdsResources;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gRFC A71 with two real control planes: fall back while the primary is unreachable, revert when it answers. */
class XdsClientFallbackTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private LoopbackControlPlane primary;
  private LoopbackControlPlane fallback;
  private ScheduledExecutorService scheduler;
  private XdsClient client;
  private final AtomicInteger attempts = new AtomicInteger();

  @BeforeEach
  void setUp() {
    primary = LoopbackControlPlane.start();
    fallback = LoopbackControlPlane.start();
    primary.setSnapshot("p1", List.of(XdsResources.apiListener("a:80", "from-primary"),
        XdsResources.apiListener("b:80", "from-primary")), List.of(), List.of(), List.of());
    fallback.setSnapshot("f1", List.of(XdsResources.apiListener("a:80", "from-fallback"),
        XdsResources.apiListener("b:80", "from-fallback")), List.of(), List.of(), List.of());
    scheduler = Executors.newSingleThreadScheduledExecutor();
    String bootstrap = "{\"xds_servers\": ["
        + "{\"server_uri\": \"" + primary.target() + "\", \"channel_creds\": [{\"type\": \"insecure\"}]},"
        + "{\"server_uri\": \"" + fallback.target() + "\", \"channel_creds\": [{\"type\": \"insecure\"}]}],"
        + " \"node\": {\"id\": \"test-node\"}}";
    client = XdsClient.newBuilder(BootstrapParser.parse(bootstrap, "test"), scheduler)
        .backoffPolicy(() -> () -> {
          attempts.incrementAndGet();
          return Duration.ofMillis(50).toNanos();
        })
        .initialFetchTimeout(Duration.ofSeconds(60))
        .build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    primary.close();
    fallback.close();
    scheduler.shutdownNow();
  }

  private ResourceStatus status(String name) {
    return client.status().stream().filter(s -> s.typeUrl().equals(LDS) && s.name().equals(name)).findFirst()
        .orElseThrow();
  }

  @Test
  void fallsBackWhileThePrimaryIsUnreachableAndRevertsWhenItAnswers() {
    primary.stop();
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "a:80", a);

    await().atMost(WAIT).until(() -> a.last() != null);
    assertThat(a.last().rdsRouteConfigName()).isEqualTo("from-fallback");
    assertThat(status("a:80").source()).isEqualTo(fallback.target());
    assertThat(status("a:80").version()).isEqualTo("f1");
    assertThat(client.serverUri()).isEqualTo(fallback.target());
    assertThat(client.connected()).isTrue();
    assertThat(client.stats().connected(fallback.target())).isTrue();
    assertThat(client.stats().serverFailures(primary.target())).isEqualTo(1);

    // The primary keeps being retried; its first answer ends the fallback.
    primary.restart();
    await().atMost(WAIT).until(() -> a.last().rdsRouteConfigName().equals("from-primary"));
    assertThat(status("a:80").source()).isEqualTo(primary.target());
    assertThat(status("a:80").version()).isEqualTo("p1");
    assertThat(client.serverUri()).isEqualTo(primary.target());
    await().atMost(WAIT).until(() -> fallback.openStreams() == 0);
    assertThat(client.stats().connected(fallback.target())).isFalse();
    assertThat(client.stats().connected(primary.target())).isTrue();
    assertThat(a.count("dne")).isZero();
  }

  @Test
  void staysOnCachedValuesWhileNothingIsMissingAndFallsBackForANewResource() {
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "a:80", a);
    await().atMost(WAIT).until(() -> a.last() != null && client.connected());
    assertThat(a.last().rdsRouteConfigName()).isEqualTo("from-primary");

    primary.stop();
    int before = attempts.get();
    await().atMost(WAIT).until(() -> attempts.get() >= before + 5); // five failed attempts at the primary
    assertThat(fallback.streamsOpened()).isZero(); // everything watched is cached: A71 does not fall back
    assertThat(a.values).hasSize(1);
    assertThat(status("a:80").state()).isEqualTo(ResourceState.ACKED);
    assertThat(status("a:80").source()).isEqualTo(primary.target());

    // A resource with no cached value needs a server: the fallback is used, and its answers replace the
    // primary's values as they arrive.
    RecordingWatcher<ListenerResource> b = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "b:80", b);
    await().atMost(WAIT).until(() -> b.last() != null);
    assertThat(b.last().rdsRouteConfigName()).isEqualTo("from-fallback");
    await().atMost(WAIT).until(() -> a.last().rdsRouteConfigName().equals("from-fallback"));
    assertThat(status("a:80").source()).isEqualTo(fallback.target());
    assertThat(a.count("dne") + b.count("dne")).isZero();
  }
}

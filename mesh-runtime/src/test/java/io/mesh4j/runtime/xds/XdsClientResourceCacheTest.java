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
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the xDS client serves from the persisted cache, and how the first real answer replaces it. */
class XdsClientResourceCacheTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Instant SENT = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  private ScheduledExecutorService scheduler;
  private XdsClient client;
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    FileResourceCache seed = FileResourceCache.open(dir);
    seed.accepted(ListenerType.INSTANCE, "a:80", "c1", XdsResources.apiListener("a:80", "from-cache"), SENT);
    seed.flush();
    seed.close();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    for (AutoCloseable c : closeables) {
      c.close();
    }
    scheduler.shutdownNow();
  }

  private static String server(String target) {
    return "{\"server_uri\": \"" + target + "\", \"channel_creds\": [{\"type\": \"insecure\"}]}";
  }

  private XdsClient newClient(Duration cacheWait, String... targets) throws Exception {
    String bootstrap = "{\"xds_servers\": [" + String.join(",", java.util.Arrays.stream(targets)
        .map(XdsClientResourceCacheTest::server).toList()) + "], \"node\": {\"id\": \"n\"}}";
    client = XdsClient.newBuilder(BootstrapParser.parse(bootstrap, "test"), scheduler)
        .backoffPolicy(() -> () -> Duration.ofMillis(50).toNanos())
        .initialFetchTimeout(Duration.ofSeconds(60))
        .resourceCache(FileResourceCache.open(dir), cacheWait)
        .build();
    return client;
  }

  private ResourceStatus status(String name) {
    return client.status().stream().filter(s -> s.typeUrl().equals(LDS) && s.name().equals(name)).findFirst()
        .orElseThrow();
  }

  @Test
  void servesFromTheCacheOnceTheServerIsUnreachableAndTakesItsFirstAnswer() throws Exception {
    LoopbackControlPlane cp = LoopbackControlPlane.start();
    closeables.add(cp);
    cp.setSnapshot("s1", List.of(XdsResources.apiListener("a:80", "from-server")), List.of(), List.of(),
        List.of());
    cp.stop();
    // A long cache wait: only the failed connection can be what brings the cache in.
    newClient(Duration.ofMinutes(10), cp.target());
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    RecordingWatcher<ListenerResource> notCached = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "a:80", a);
    client.watch(ListenerType.INSTANCE, "b:80", notCached);

    await().atMost(WAIT).until(() -> a.last() != null);
    assertThat(a.last().rdsRouteConfigName()).isEqualTo("from-cache");
    assertThat(status("a:80").state()).isEqualTo(ResourceState.CACHED);
    assertThat(status("a:80").version()).isEqualTo("c1");
    assertThat(status("a:80").lastUpdated()).isEqualTo(SENT);
    assertThat(status("a:80").source()).isEqualTo("cache:" + dir);
    assertThat(status("b:80").state()).isEqualTo(ResourceState.REQUESTED);
    assertThat(client.stats().resources(LDS, XdsClientStats.CacheState.ACKED)).isEqualTo(1);

    cp.restart();
    await().atMost(WAIT).until(() -> a.last().rdsRouteConfigName().equals("from-server"));
    assertThat(status("a:80").state()).isEqualTo(ResourceState.ACKED);
    assertThat(status("a:80").source()).isEqualTo(cp.target());
    await().atMost(WAIT).until(notCached::doesNotExist); // the server's answer, not the cache, says b:80 is absent
  }

  @Test
  void servesFromTheCacheAfterTheWaitWhenTheServerAcceptsButNeverAnswers() throws Exception {
    // Accepts TCP connections and never speaks: the stream neither answers nor fails.
    ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closeables.add(silent);
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    Thread acceptor = new Thread(() -> {
      try {
        while (true) {
          accepted.add(silent.accept());
        }
      } catch (Exception e) {
        // closed
      }
    });
    acceptor.setDaemon(true);
    acceptor.start();
    closeables.add(() -> accepted.forEach(s -> {
      try {
        s.close();
      } catch (Exception e) {
        // closing
      }
    }));

    newClient(Duration.ofMillis(300), "127.0.0.1:" + silent.getLocalPort());
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "a:80", a);
    await().atMost(WAIT).until(() -> a.last() != null);
    assertThat(a.last().rdsRouteConfigName()).isEqualTo("from-cache");
    assertThat(status("a:80").state()).isEqualTo(ResourceState.CACHED);
    assertThat(accepted).isNotEmpty();
  }

  @Test
  void aReachableFallbackServerComesBeforeTheCache() throws Exception {
    LoopbackControlPlane primary = LoopbackControlPlane.start();
    LoopbackControlPlane fallback = LoopbackControlPlane.start();
    closeables.add(primary);
    closeables.add(fallback);
    primary.stop();
    fallback.setSnapshot("f1", List.of(XdsResources.apiListener("a:80", "from-fallback")), List.of(), List.of(),
        List.of());
    newClient(Duration.ofMinutes(10), primary.target(), fallback.target());
    RecordingWatcher<ListenerResource> a = new RecordingWatcher<>();
    client.watch(ListenerType.INSTANCE, "a:80", a);
    await().atMost(WAIT).until(() -> a.last() != null);
    assertThat(a.values).extracting(ListenerResource::rdsRouteConfigName).containsExactly("from-fallback");
    assertThat(status("a:80").source()).isEqualTo(fallback.target());
  }
}

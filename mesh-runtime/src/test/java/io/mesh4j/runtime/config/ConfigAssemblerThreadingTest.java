package io.mesh4j.runtime.config;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.mesh4j.runtime.bootstrap.BootstrapParser;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.RecordingSubscriptions;
import io.mesh4j.runtime.xds.XdsClient;
import io.mesh4j.runtime.cluster.ClusterType;
import io.mesh4j.runtime.cluster.EndpointType;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.route.RouteConfigurationType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who runs the assembler's work: request threads only register a waiter and queue the subscription; the xDS watches,
 * reconciling and publishing run on the assembly thread, so nothing re-enters the waiters' map while it is being
 * updated.
 */
class ConfigAssemblerThreadingTest {
  private static final ResourceTypes TYPES = new ResourceTypes(
      ListenerType.INSTANCE, RouteConfigurationType.INSTANCE, ClusterType.INSTANCE, EndpointType.INSTANCE);
  private static final int TARGETS = 300;
  private static final int REQUEST_THREADS = 8;
  /** Each round asks for targets nobody asked for before; the re-entry was a race, so the shape runs a few times. */
  private static final int ROUNDS = 3;

  private LoopbackControlPlane controlPlane;
  private ScheduledExecutorService scheduler;
  private XdsClient xds;
  private RecordingSubscriptions recording;
  private ConfigAssembler assembler;
  private ExecutorService requests;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    List<Listener> listeners = new ArrayList<>();
    for (int i = 0; i < TARGETS * ROUNDS; i++) {
      listeners.add(apiListener(target(i), "routes"));
    }
    controlPlane.setSnapshot("1", listeners, List.of(routeConfig("routes", "*", "c")), List.of(edsCluster("c")),
        List.of(cla("c", "127.0.0.1:1")));
    scheduler = Executors.newSingleThreadScheduledExecutor();
    xds = XdsClient.newBuilder(BootstrapParser.parse(controlPlane.bootstrapJson(), "test"), scheduler).build();
    recording = new RecordingSubscriptions(xds);
    assembler = new ConfigAssembler(recording, TYPES, target -> target, () -> 7);
    requests = Executors.newFixedThreadPool(REQUEST_THREADS, runnable -> new Thread(runnable, "request-thread"));
  }

  @AfterEach
  void stop() {
    requests.shutdownNow();
    assembler.close();
    xds.close();
    scheduler.shutdownNow();
    controlPlane.close();
  }

  private static String target(int i) {
    return "svc-" + i + ".mesh:8080";
  }

  @Test
  void manyThreadsAskingForManyNewTargetsAtOnceAllGetTheirFirstConfig() throws Exception {
    // An assembly task that throws (ConcurrentHashMap's "Recursive update" when a publish re-entered the waiters' map
    // from inside a caller's computeIfAbsent) is logged and cuts that publish short; slf4j-simple writes to
    // System.err, which is watched for the duration.
    PrintStream originalErr = System.err;
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    System.setErr(new PrintStream(new TeeOutputStream(originalErr, errors), true, StandardCharsets.UTF_8));
    try {
      for (int round = 0; round < ROUNDS; round++) {
        askForEveryTargetFromEveryThread(round * TARGETS);
      }
    } finally {
      System.setErr(originalErr);
    }
    assertThat(errors.toString(StandardCharsets.UTF_8)).doesNotContain("mesh config assembly failed");
    assertThat(assembler.snapshot().target(target(TARGETS * ROUNDS - 1))).isInstanceOf(TargetConfig.Routed.class);
  }

  private void askForEveryTargetFromEveryThread(int firstTarget) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<TargetConfig>>> callers = new ArrayList<>();
    for (int t = 0; t < REQUEST_THREADS; t++) {
      List<String> order = new ArrayList<>();
      for (int i = firstTarget; i < firstTarget + TARGETS; i++) {
        order.add(target(i));
      }
      Collections.shuffle(order, new java.util.Random(t));
      callers.add(requests.submit(() -> {
        go.await();
        // Ask for every target first, as concurrent first calls do, then wait for them all.
        List<CompletableFuture<TargetConfig>> waits = new ArrayList<>();
        for (String target : order) {
          waits.add(assembler.subscribe(target));
        }
        List<TargetConfig> configs = new ArrayList<>();
        for (CompletableFuture<TargetConfig> wait : waits) {
          configs.add(wait.get(60, TimeUnit.SECONDS));
        }
        return configs;
      }));
    }
    go.countDown();
    for (Future<List<TargetConfig>> caller : callers) {
      assertThat(caller.get(120, TimeUnit.SECONDS)).hasSize(TARGETS)
          .allSatisfy(config -> assertThat(config).isInstanceOf(TargetConfig.Routed.class));
    }
  }

  @Test
  void aRequestThreadNeverRunsAnXdsWatch() throws Exception {
    for (int i = 0; i < 20; i++) {
      String target = target(i);
      assertThat(requests.submit(() -> assembler.subscribe(target).get(60, TimeUnit.SECONDS)).get(90, TimeUnit.SECONDS))
          .isInstanceOf(TargetConfig.Routed.class);
    }
    // One listener per target, plus the shared route, cluster and endpoints.
    assertThat(recording.watchCount()).isEqualTo(20 + 3);
    assertThat(recording.watchingThreads()).containsOnly("mesh4j-config");
  }

  private static final class TeeOutputStream extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    TeeOutputStream(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      first.write(b, off, len);
      second.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      first.flush();
    }
  }
}

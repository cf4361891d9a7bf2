package io.mesh4j.grpc;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.RefusingGrpcServer;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server that refuses streams unprocessed under steady load ({@code RST_STREAM(REFUSED_STREAM)}, one stream in 25)
 * behind a route with no retry policy: a call whose stream the server refused goes again, as Envoy's connection pool
 * sends a request the upstream never processed, so no call fails. The mesh's endpoint channels keep grpc-java's
 * transparent retry for exactly this (a stream refused, or one above a draining server's GOAWAY, once per call), with
 * no retry policy of grpc-java's own; the route's retries stay the mesh's.
 *
 * <p>The same gap showed with a grpc-java server draining its connections ({@code maxConnectionAge}), but too rarely
 * to test: its drain announces itself with a first GOAWAY and sends the final one after a PING round trip, and only
 * once in 457,000 calls over 30 drains did a call meet the final one's race.
 */
class GrpcRefusedStreamTest {
  private static final String TARGET = "catalog.mesh:9090";
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** Streams the server must have refused while the calls went on. */
  private static final int REFUSALS = 40;
  /** One refused stream in this many (a call is refused at most once, by its id: grpc-java retries it once). */
  private static final int REFUSE_EVERY = 25;
  private static final int CALLERS = 8;

  private LoopbackControlPlane controlPlane;
  private RefusingGrpcServer catalog;
  private Mesh mesh;
  private ManagedChannel channel;
  private ExecutorService callers;
  private final AtomicLong callIds = new AtomicLong();

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    catalog = RefusingGrpcServer.start("catalog", REFUSE_EVERY);
    callers = Executors.newFixedThreadPool(CALLERS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    callers.shutdownNow();
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (mesh != null) {
      mesh.close();
    }
    catalog.close();
    controlPlane.close();
  }

  @Test
  void aCallWhoseStreamTheServerRefusedUnprocessedGoesAgainWithoutARetryPolicy() throws Exception {
    RouteConfiguration routes = routeConfig("routes", TARGET, "catalog");
    assertThat(routes.getVirtualHosts(0).getRoutes(0).getRoute().hasRetryPolicy()).isFalse();
    assertThat(routes.getVirtualHosts(0).hasRetryPolicy()).isFalse();
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "routes")), List.of(routes),
        List.of(edsCluster("catalog")), List.of(cla("catalog", catalog.hostPort())));
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT).build();
    channel = MeshGrpc.newChannel(mesh, TARGET);
    assertThat(call()).isEqualTo("catalog");

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong calls = new AtomicLong();
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      running.add(callers.submit(() -> {
        while (!stop.get()) {
          try {
            call();
          } catch (StatusRuntimeException e) {
            failures.add(e.getStatus().toString());
          }
          calls.incrementAndGet();
        }
      }));
    }
    try {
      await().atMost(Duration.ofSeconds(60))
          .until(() -> catalog.refusedCount() >= REFUSALS || failures.size() >= 20);
    } finally {
      stop.set(true);
    }
    for (Future<?> caller : running) {
      caller.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    assertThat(failures).as("calls failed out of %d", calls.get()).isEmpty();
    assertThat(catalog.refusedCount()).as("streams refused").isGreaterThanOrEqualTo(REFUSALS);
    assertThat((long) catalog.answeredCount()).as("calls answered").isGreaterThanOrEqualTo(calls.get());
    assertThat(catalog.connectionCount()).as("connections: refusals do not cost one").isEqualTo(1);
  }

  @Test
  void aTransparentRetryStaysInsideOneMeshAttempt() {
    catalog.close();
    catalog = RefusingGrpcServer.start("catalog", 1); // refuses every stream
    RouteConfiguration routes = routeConfig("routes", TARGET, "catalog");
    RouteAction retried = routes.getVirtualHosts(0).getRoutes(0).getRoute().toBuilder()
        .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("refused-stream").setNumRetries(UInt32Value.of(1)))
        .build();
    routes = routes.toBuilder().setVirtualHosts(0, routes.getVirtualHosts(0).toBuilder()
        .setRoutes(0, routes.getVirtualHosts(0).getRoutes(0).toBuilder().setRoute(retried))).build();
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "routes")), List.of(routes),
        List.of(edsCluster("catalog")), List.of(cla("catalog", catalog.hostPort())));
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT).build();
    channel = MeshGrpc.newChannel(mesh, TARGET);

    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, NamedGrpcServer.HELLO,
        CallOptions.DEFAULT.withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS), "hi"))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    // Two mesh attempts (num_retries 1, retry_on refused-stream), each one stream and its one transparent retry:
    // grpc-java sends a refused stream again once per call, and the mesh's retry is a new call on the endpoint channel.
    assertThat(catalog.refusedCount()).isEqualTo(4);
    assertThat(catalog.answeredCount()).isZero();
  }

  /** A call carrying an id of its own, by which the server refuses it at most once. */
  private String call() {
    Metadata id = new Metadata();
    id.put(RefusingGrpcServer.CALL_ID, Long.toString(callIds.incrementAndGet()));
    return ClientCalls.blockingUnaryCall(
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(id)), NamedGrpcServer.HELLO,
        CallOptions.DEFAULT.withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS), "hi");
  }
}

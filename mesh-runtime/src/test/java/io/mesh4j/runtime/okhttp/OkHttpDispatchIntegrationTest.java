package io.mesh4j.runtime.okhttp;

import static io.mesh4j.runtime.testing.XdsResources.ads;
import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routerFilter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.mesh4j.Mesh;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.runtime.testing.ControllableHttpServer;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code mesh.okHttp(builder)} does to the dispatcher, and fault delays over OkHttp: a real control plane, real
 * servers on loopback, async and sync OkHttp calls. Every wait is for an event; nothing asserts a duration.
 */
class OkHttpDispatchIntegrationTest {
  private static final String TARGET = "catalog.mesh:8080";
  private static final String URL = "http://" + TARGET + "/items";
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** Requests carrying it wait an hour in the fault filter: anything that ends them sooner is not the delay. */
  private static final String DELAY_HEADER = "x-envoy-fault-delay-request";
  private static final String AN_HOUR_MS = "3600000";

  private LoopbackControlPlane controlPlane;
  private ControllableHttpServer server;
  private Mesh mesh;
  private OkHttpClient client;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    server = ControllableHttpServer.start("catalog");
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.dispatcher().cancelAll();
    }
    if (mesh != null) {
      mesh.close();
    }
    server.close();
    controlPlane.close();
  }

  private void serve(int maxRequests) {
    serve(maxRequests, 0);
  }

  /**
   * One route to cluster "catalog" (max_requests as given, 0 for the default; the route timeout in milliseconds, 0
   * for the default), with a header-driven fault delay.
   */
  private void serve(int maxRequests, long routeTimeoutMillis) {
    HTTPFault delay = HTTPFault.newBuilder().setDelay(FaultDelay.newBuilder()
            .setHeaderDelay(FaultDelay.HeaderDelay.getDefaultInstance())
            .setPercentage(FractionalPercent.newBuilder().setNumerator(100)))
        .build();
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setRds(Rds.newBuilder().setRouteConfigName("catalog-routes").setConfigSource(ads()))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.fault").setTypedConfig(Any.pack(delay)))
        .addHttpFilters(routerFilter())
        .build();
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("catalog-routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("catalog").addDomains(TARGET).addRoutes(Route.newBuilder()
            .setMatch(RouteMatch.newBuilder().setPrefix("/")).setRoute(routeTimeoutMillis == 0
                ? RouteAction.newBuilder().setCluster("catalog")
                : RouteAction.newBuilder().setCluster("catalog")
                    .setTimeout(com.google.protobuf.util.Durations.fromMillis(routeTimeoutMillis)))))
        .build();
    Cluster.Builder cluster = edsCluster("catalog").toBuilder();
    if (maxRequests > 0) {
      cluster.setCircuitBreakers(CircuitBreakers.newBuilder()
          .addThresholds(CircuitBreakers.Thresholds.newBuilder().setMaxRequests(UInt32Value.of(maxRequests))));
    }
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, hcm)), List.of(routes), List.of(cluster.build()),
        List.of(cla("catalog", server.hostPort())));
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(WAIT).build();
    client = mesh.okHttp(new OkHttpClient.Builder()).build();
  }

  /** Outcomes of async calls: the status of a response, or the failure. */
  private static final class Outcomes implements Callback {
    final Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
    final Queue<IOException> failures = new ConcurrentLinkedQueue<>();

    @Override
    public void onFailure(Call call, IOException e) {
      failures.add(e);
    }

    @Override
    public void onResponse(Call call, Response response) {
      try (response) {
        statuses.add(response.code());
      }
    }

    int done() {
      return statuses.size() + failures.size();
    }
  }

  private Call newCall(String url, String... headers) {
    Request.Builder request = new Request.Builder().url(url);
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return client.newCall(request.build());
  }

  @Test
  void asyncCallsToAMeshHostAreLimitedByTheClustersBreakerNotByTheDispatcher() {
    serve(8);
    server.stall();
    Outcomes outcomes = new Outcomes();
    for (int i = 0; i < 20; i++) {
      newCall(URL).enqueue(outcomes);
    }
    // OkHttp's dispatcher alone would run 5 and queue 15: here 8 reach the server and 12 fail fast.
    await().atMost(WAIT).until(() -> server.arrivals() == 8 && outcomes.failures.size() == 12);
    assertThat(outcomes.failures).allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(MeshRoutingException.class,
        refused -> assertThat(refused.reason()).isEqualTo(Reason.OVERFLOW)));
    assertThat(client.dispatcher().queuedCallsCount()).isZero();

    server.release();
    await().atMost(WAIT).until(() -> outcomes.statuses.size() == 8);
    assertThat(outcomes.statuses).containsOnly(200);
  }

  @Test
  void asyncCallsOutsideTheMeshKeepTheDispatchersPerHostLimit() {
    serve(0);
    ControllableHttpServer outside = ControllableHttpServer.start("outside");
    try {
      outside.stall();
      Outcomes outcomes = new Outcomes();
      for (int i = 0; i < 7; i++) {
        newCall("http://" + outside.hostPort() + "/").enqueue(outcomes);
      }
      DirectCallLimits limits = ((MeshInterceptor) client.interceptors().get(0)).directLimits();
      // OkHttp's default maxRequestsPerHost is 5: five in flight, two waiting for a slot.
      await().atMost(WAIT).until(() -> outside.arrivals() == 5 && limits.waiting() == 2);
      assertThat(limits.inFlight()).isEqualTo(5);

      outside.release();
      await().atMost(WAIT).until(() -> outcomes.statuses.size() == 7);
      assertThat(outcomes.statuses).containsOnly(200);
      assertThat(outside.arrivals()).isEqualTo(7);
      await().atMost(WAIT).until(() -> limits.inFlight() == 0);
    } finally {
      outside.close();
    }
  }

  @Test
  void aFaultDelayEndsAtTheCallTimeoutAsOkHttpEndsATimedOutCall() {
    serve(0);
    Call sync = newCall(URL, DELAY_HEADER, AN_HOUR_MS);
    sync.timeout().timeout(300, TimeUnit.MILLISECONDS);
    assertThatThrownBy(sync::execute).isInstanceOf(InterruptedIOException.class).hasMessage("timeout");

    Outcomes outcomes = new Outcomes();
    for (int i = 0; i < 10; i++) {
      Call async = newCall(URL, DELAY_HEADER, AN_HOUR_MS);
      async.timeout().timeout(300, TimeUnit.MILLISECONDS);
      async.enqueue(outcomes);
    }
    await().atMost(WAIT).until(() -> outcomes.failures.size() == 10);
    assertThat(outcomes.failures).allSatisfy(e ->
        assertThat(e).isInstanceOf(InterruptedIOException.class).hasMessage("timeout"));
    assertThat(server.arrivals()).isZero();
  }

  @Test
  void aFaultDelayEndsAtTheRouteTimeoutWhenThatComesFirst() {
    serve(0, 300);
    Call call = newCall(URL, DELAY_HEADER, AN_HOUR_MS);
    call.timeout().timeout(1, TimeUnit.HOURS);
    assertThatThrownBy(call::execute).isInstanceOfSatisfying(MeshRoutingException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.UPSTREAM_TIMEOUT));
    assertThat(server.arrivals()).isZero();
  }

  @Test
  void delayedAsyncCallsDoNotHoldUpOtherCallsAndEndWhenCancelled() throws IOException {
    serve(0);
    Outcomes delayed = new Outcomes();
    List<Call> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Call call = newCall(URL, DELAY_HEADER, AN_HOUR_MS);
      calls.add(call);
      call.enqueue(delayed);
    }
    // More delayed calls than OkHttp's per-host limit: an undelayed one to the same host still goes through.
    Outcomes undelayed = new Outcomes();
    newCall(URL).enqueue(undelayed);
    await().atMost(WAIT).until(() -> undelayed.statuses.size() == 1);
    try (Response response = newCall(URL).execute()) {
      assertThat(response.code()).isEqualTo(200);
    }
    assertThat(delayed.done()).isZero();

    calls.forEach(Call::cancel);
    await().atMost(WAIT).until(() -> delayed.failures.size() == 10);
    assertThat(delayed.failures).allSatisfy(e -> assertThat(e).hasMessage("Canceled"));
    assertThat(server.arrivals()).isEqualTo(2);
  }
}

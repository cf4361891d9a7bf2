package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.ads;
import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routerFilter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.mesh4j.Mesh;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.RecordingHttpServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fault injection and request shaping end to end: real control plane, OkHttp, real servers on loopback. */
class TrafficPolicyIntegrationTest {
  private static final String TARGET = "catalog.mesh:8080";
  private static final String BASE = "http://" + TARGET;
  private static final String FAULT = "envoy.filters.http.fault";

  private LoopbackControlPlane controlPlane;
  private RecordingHttpServer v1;
  private RecordingHttpServer v2;
  private Mesh mesh;
  private OkHttpClient client;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    v1 = RecordingHttpServer.start("v1");
    v2 = RecordingHttpServer.start("v2");
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(Duration.ofSeconds(10)).build();
    client = mesh.okHttp(new OkHttpClient.Builder().followRedirects(false)).build();
  }

  @AfterEach
  void stop() {
    mesh.close();
    controlPlane.close();
    v1.close();
    v2.close();
  }

  private static FractionalPercent percent(int n) {
    return FractionalPercent.newBuilder().setNumerator(n).setDenominator(FractionalPercent.DenominatorType.HUNDRED)
        .build();
  }

  private void serve(HTTPFault fault, Route... routes) {
    serve(fault, VirtualHost.newBuilder(), routes);
  }

  private void serve(HTTPFault fault, VirtualHost.Builder vhost, Route... routes) {
    HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
        .setRds(Rds.newBuilder().setRouteConfigName("catalog-routes").setConfigSource(ads()));
    if (fault != null) {
      hcm.addHttpFilters(HttpFilter.newBuilder().setName(FAULT).setTypedConfig(Any.pack(fault)));
    }
    hcm.addHttpFilters(routerFilter());
    RouteConfiguration config = RouteConfiguration.newBuilder().setName("catalog-routes")
        .addVirtualHosts(vhost.setName("catalog").addDomains(TARGET).addAllRoutes(List.of(routes)))
        .build();
    controlPlane.setSnapshot("1",
        List.of(apiListener(TARGET, hcm.build())),
        List.of(config),
        List.of(edsCluster("catalog-v1"), edsCluster("catalog-v2")),
        List.of(cla("catalog-v1", v1.hostPort()), cla("catalog-v2", v2.hostPort())));
  }

  private static Route.Builder prefix(String prefix) {
    return Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix(prefix));
  }

  private static Route toV1(String prefix) {
    return prefix(prefix).setRoute(RouteAction.newBuilder().setCluster("catalog-v1")).build();
  }

  private static HTTPFault abort(int status, int percent) {
    return HTTPFault.newBuilder().setAbort(FaultAbort.newBuilder().setHttpStatus(status).setPercentage(percent(percent)))
        .build();
  }

  private Response get(String path, String... headers) throws IOException {
    Request.Builder request = new Request.Builder().url(BASE + path);
    for (int i = 0; i < headers.length; i += 2) {
      request.addHeader(headers[i], headers[i + 1]);
    }
    return client.newCall(request.build()).execute();
  }

  private static HeaderValueOption header(String name, String value, HeaderValueOption.HeaderAppendAction action) {
    return HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(action).build();
  }

  @Test
  void anAbortAnswersWithItsStatusWithoutCallingTheServer() throws IOException {
    serve(abort(503, 100), toV1("/"));
    try (Response response = get("/items")) {
      assertThat(response.code()).isEqualTo(503);
      assertThat(response.body().string()).isEqualTo("fault filter abort");
      assertThat(response.message()).contains("FI");
    }
    assertThat(v1.requests()).isZero();
  }

  @Test
  void abortPercentageHoldsOverManyRequests() throws IOException {
    serve(abort(500, 30), toV1("/"));
    int n = 200;
    int aborted = 0;
    for (int i = 0; i < n; i++) {
      try (Response response = get("/")) {
        if (response.code() == 500) {
          aborted++;
        } else {
          assertThat(response.code()).isEqualTo(200);
        }
      }
    }
    // Binomial(200, 0.3): mean 60, sd = sqrt(200 * 0.3 * 0.7) = 6.5; 5 sd either side fails once in ~3.5 million.
    assertThat(aborted).isBetween(60 - 33, 60 + 33);
    assertThat(v1.requests()).isEqualTo(n - aborted);
  }

  @Test
  void aFixedDelayHoldsTheRequestThenForwardsIt() throws IOException {
    serve(HTTPFault.newBuilder().setDelay(FaultDelay.newBuilder().setFixedDelay(Durations.fromMillis(300))
        .setPercentage(percent(100))).build(), toV1("/"));
    get("/warm-up").close(); // the first call waits for the config; time only the second
    long start = System.nanoTime();
    try (Response response = get("/")) {
      assertThat(response.code()).isEqualTo(200);
    }
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(elapsedMillis).isBetween(300L, 300L + 2_000L);
  }

  @Test
  void headerControlledAbortAndOverridePrecedence() throws IOException {
    HTTPFault headerAbort = HTTPFault.newBuilder().setAbort(FaultAbort.newBuilder()
        .setHeaderAbort(FaultAbort.HeaderAbort.getDefaultInstance()).setPercentage(percent(100))).build();
    serve(headerAbort,
        VirtualHost.newBuilder().putTypedPerFilterConfig(FAULT, Any.pack(abort(501, 100))),
        prefix("/route").putTypedPerFilterConfig(FAULT, Any.pack(abort(502, 100)))
            .setRoute(RouteAction.newBuilder().setCluster("catalog-v1")).build(),
        toV1("/"));
    try (Response response = get("/route")) {
      assertThat(response.code()).isEqualTo(502);
    }
    try (Response response = get("/other", "x-envoy-fault-abort-request", "418")) {
      assertThat(response.code()).isEqualTo(501); // the virtual host's override replaces the header-driven base
    }
    assertThat(v1.requests()).isZero();
  }

  @Test
  void headerControlledFaultsFromTheBaseConfig() throws IOException {
    HTTPFault headers = HTTPFault.newBuilder()
        .setAbort(FaultAbort.newBuilder().setHeaderAbort(FaultAbort.HeaderAbort.getDefaultInstance())
            .setPercentage(percent(100)))
        .build();
    serve(headers, toV1("/"));
    try (Response response = get("/", "x-envoy-fault-abort-request", "429")) {
      assertThat(response.code()).isEqualTo(429);
    }
    try (Response response = get("/", "x-envoy-fault-abort-request", "429",
        "x-envoy-fault-abort-request-percentage", "0")) {
      assertThat(response.code()).isEqualTo(200);
    }
    try (Response response = get("/")) {
      assertThat(response.code()).isEqualTo(200);
    }
  }

  @Test
  void maxActiveFaultsLetsConcurrentRequestsThroughUndelayed() throws Exception {
    serve(HTTPFault.newBuilder().setMaxActiveFaults(UInt32Value.of(1))
        .setDelay(FaultDelay.newBuilder().setFixedDelay(Durations.fromMillis(1500)).setPercentage(percent(100)))
        .build(), toV1("/"));
    get("/warm-up").close();
    long start = System.nanoTime();
    CompletableFuture<Long> delayed = CompletableFuture.supplyAsync(() -> timedCall(start));
    Thread.sleep(300); // the first request is now in its delay, an active fault
    long fast = timedCall(System.nanoTime());
    assertThat(fast).isLessThan(1_000L);
    assertThat(delayed.get()).isGreaterThanOrEqualTo(1_500L);
  }

  private long timedCall(long start) {
    try (Response response = get("/")) {
      assertThat(response.code()).isEqualTo(200);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void redirectAndDirectResponseAnswerWithoutTheServer() throws IOException {
    serve(null,
        prefix("/old").setRedirect(RedirectAction.newBuilder().setPrefixRewrite("/new").setHostRedirect("shop.example")
            .setResponseCode(RedirectAction.RedirectResponseCode.FOUND)).build(),
        prefix("/secure").setRedirect(RedirectAction.newBuilder().setHttpsRedirect(true).setStripQuery(true)).build(),
        prefix("/health").setDirectResponse(DirectResponseAction.newBuilder().setStatus(200)
                .setBody(DataSource.newBuilder().setInlineString("ok")))
            .addResponseHeadersToAdd(header("x-direct", "1", HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD))
            .build());
    try (Response response = get("/old/items?page=2")) {
      assertThat(response.code()).isEqualTo(302);
      assertThat(response.header("location")).isEqualTo("http://shop.example/new/items?page=2");
    }
    try (Response response = get("/secure/a?b=c")) {
      assertThat(response.code()).isEqualTo(301);
      assertThat(response.header("location")).isEqualTo("https://catalog.mesh:8080/secure/a");
    }
    try (Response response = get("/health")) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).isEqualTo("ok");
      assertThat(response.header("x-direct")).isEqualTo("1");
      assertThat(response.header("content-type")).startsWith("text/plain");
    }
    assertThat(v1.requests() + v2.requests()).isZero();
  }

  @Test
  void rewritesAndHeaderMutationsReachTheServerAndTheClient() throws IOException {
    serve(null,
        VirtualHost.newBuilder()
            .addRequestHeadersToAdd(header("x-level", "vhost", HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
            .addResponseHeadersToAdd(header("x-vhost", "yes", HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD)),
        prefix("/api/").setRoute(RouteAction.newBuilder().setCluster("catalog-v1").setPrefixRewrite("/v2/")
                .setHostRewriteLiteral("backend.internal").setAppendXForwardedHost(true))
            .addRequestHeadersToAdd(header("x-level", "route", HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
            .addRequestHeadersToAdd(header("x-added", "a", HeaderValueOption.HeaderAppendAction.ADD_IF_ABSENT))
            .addRequestHeadersToRemove("x-secret")
            .addResponseHeadersToRemove("x-upstream-drop")
            .build(),
        toV1("/"));
    try (Response response = get("/api/items?x=1", "x-secret", "s", "x-added", "mine")) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.header("x-upstream-drop")).isNull();
      assertThat(response.header("x-vhost")).isEqualTo("yes");
    }
    RecordingHttpServer.Seen seen = v1.last();
    assertThat(seen.uri()).isEqualTo("/v2/items?x=1");
    assertThat(seen.headers().getFirst("Host")).isEqualTo("backend.internal");
    assertThat(seen.headers().getFirst("x-forwarded-host")).isEqualTo(TARGET);
    // Route first, then the virtual host: the more general level acts last and wins an overwrite.
    assertThat(seen.headers().get("x-level")).containsExactly("vhost");
    assertThat(seen.headers().get("x-added")).containsExactly("mine");
    assertThat(seen.headers().getFirst("x-secret")).isNull();
  }

  @Test
  void clusterHeaderPicksAKnownClusterAndAnUnknownOneIsNoCluster() throws IOException {
    serve(null,
        prefix("/by-header").setRoute(RouteAction.newBuilder().setClusterHeader("x-cluster")).build(),
        prefix("/").setRoute(RouteAction.newBuilder().setCluster("catalog-v2")).build());
    try (Response response = get("/by-header", "x-cluster", "catalog-v2")) {
      assertThat(response.body().string()).isEqualTo("v2");
    }
    List<Reason> reasons = new ArrayList<>();
    for (String[] headers : new String[][] {{"x-cluster", "catalog-v1"}, {}}) {
      assertThatThrownBy(() -> get("/by-header", headers).close())
          .isInstanceOfSatisfying(MeshRoutingException.class, e -> reasons.add(e.reason()));
    }
    // catalog-v1 exists in CDS but no route names it statically: not subscribed, so NO_CLUSTER (see README).
    assertThat(reasons).containsExactly(Reason.NO_CLUSTER, Reason.NO_CLUSTER);
  }
}

package io.mesh4j.runtime;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.mesh4j.Mesh;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.runtime.testing.ControllableHttpServer;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Load balancing end to end: a real control plane, OkHttp through the mesh, real HTTP servers on loopback. */
class LoadBalancingIntegrationTest {
  private static final String TARGET = "catalog.mesh:8080";
  private static final String URL = "http://" + TARGET + "/items";

  private final List<ControllableHttpServer> servers = new ArrayList<>();
  private LoopbackControlPlane controlPlane;
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
    controlPlane.close();
    servers.forEach(ControllableHttpServer::close);
  }

  private ControllableHttpServer server(String name) {
    ControllableHttpServer s = ControllableHttpServer.start(name);
    servers.add(s);
    return s;
  }

  private void serve(Cluster cluster, RouteAction.Builder action, ClusterLoadAssignment cla) {
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("catalog-routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("catalog").addDomains(TARGET)
            .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(action.setCluster(cluster.getName()))))
        .build();
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "catalog-routes")), List.of(routes),
        List.of(cluster), List.of(cla));
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(Duration.ofSeconds(10))
        .outboundTrafficPolicy(OutboundTrafficPolicy.ALLOW_ANY).build();
    client = mesh.okHttp(new OkHttpClient.Builder()).build();
  }

  private static LocalityLbEndpoints.Builder locality(String zone, int priority, ControllableHttpServer... members) {
    LocalityLbEndpoints.Builder l = LocalityLbEndpoints.newBuilder()
        .setLocality(Locality.newBuilder().setRegion("r1").setZone(zone))
        .setLoadBalancingWeight(UInt32Value.of(1)).setPriority(priority);
    for (ControllableHttpServer s : members) {
      l.addLbEndpoints(endpoint("127.0.0.1", s.port()));
    }
    return l;
  }

  private static ClusterLoadAssignment cla(LocalityLbEndpoints.Builder... localities) {
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName("catalog");
    for (LocalityLbEndpoints.Builder l : localities) {
      cla.addEndpoints(l);
    }
    return cla.build();
  }

  private String call(Request.Builder request) throws IOException {
    try (Response response = client.newCall(request.url(URL).build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      return response.body().string();
    }
  }

  private String call() throws IOException {
    return call(new Request.Builder());
  }

  @Test
  void ringHashKeepsEachUserOnOneEndpoint() throws IOException {
    ControllableHttpServer a = server("a");
    ControllableHttpServer b = server("b");
    ControllableHttpServer c = server("c");
    serve(edsCluster("catalog").toBuilder().setLbPolicy(Cluster.LbPolicy.RING_HASH).build(),
        RouteAction.newBuilder().addHashPolicy(RouteAction.HashPolicy.newBuilder()
            .setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName("x-user"))),
        cla(locality("z1", 0, a, b, c)));

    Set<String> servedUsers = new HashSet<>();
    for (int user = 0; user < 12; user++) {
      Set<String> servedBy = new HashSet<>();
      for (int i = 0; i < 5; i++) {
        servedBy.add(call(new Request.Builder().header("x-user", "user-" + user)));
      }
      assertThat(servedBy).as("user-%d is sticky", user).hasSize(1);
      servedUsers.addAll(servedBy);
    }
    // Twelve users all on one of three endpoints would mean the hash is not used: (1/3)^11 by chance.
    assertThat(servedUsers).hasSizeGreaterThan(1);
  }

  @Test
  void aGeneratedCookieKeepsTheClientOnOneEndpoint() throws IOException {
    ControllableHttpServer a = server("a");
    ControllableHttpServer b = server("b");
    serve(edsCluster("catalog").toBuilder().setLbPolicy(Cluster.LbPolicy.MAGLEV).build(),
        RouteAction.newBuilder().addHashPolicy(RouteAction.HashPolicy.newBuilder()
            .setCookie(RouteAction.HashPolicy.Cookie.newBuilder().setName("sticky").setPath("/")
                .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(60)))),
        cla(locality("z1", 0, a, b)));

    String cookie;
    String first;
    try (Response response = client.newCall(new Request.Builder().url(URL).build()).execute()) {
      cookie = response.header("Set-Cookie");
      first = response.body().string();
    }
    assertThat(cookie).matches("sticky=\"[0-9a-f]{16}\"; Max-Age=60; Path=/; HttpOnly");
    String value = cookie.substring(0, cookie.indexOf(';'));
    for (int i = 0; i < 10; i++) {
      try (Response response = client.newCall(new Request.Builder().url(URL).header("Cookie", value).build())
          .execute()) {
        assertThat(response.header("Set-Cookie")).isNull();
        assertThat(response.body().string()).isEqualTo(first);
      }
    }
  }

  @Test
  void trafficFailsOverToPriorityOneWhenPriorityZeroRefusesConnectionsAndReturns() throws IOException {
    ControllableHttpServer p0a = server("p0a");
    ControllableHttpServer p0b = server("p0b");
    ControllableHttpServer p1 = server("p1");
    serve(edsCluster("catalog"), RouteAction.newBuilder(), cla(locality("z1", 0, p0a, p0b), locality("z2", 1, p1)));
    for (int i = 0; i < 6; i++) {
      assertThat(call()).isIn("p0a", "p0b");
    }

    p0a.stop();
    p0b.stop();
    // No retries here (another layer's job): each priority-0 endpoint fails one call with a refused connection,
    // is then out of rotation, and everything goes to priority 1 without the control plane saying anything.
    int failures = 0;
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      try {
        served.add(call());
      } catch (IOException e) {
        failures++;
      }
    }
    assertThat(failures).isBetween(1, 2);
    assertThat(served.subList(served.size() - 8, served.size())).containsOnly("p1");

    p0a.restart();
    p0b.restart();
    // Probes (gRPC's backoff: first after about a second) find them listening again.
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      Set<String> now = new HashSet<>();
      for (int i = 0; i < 6; i++) {
        now.add(call());
      }
      assertThat(now).containsExactlyInAnyOrder("p0a", "p0b");
    });
  }

  @Test
  void leastRequestSendsNewRequestsAwayFromAnEndpointHoldingRequests() throws Exception {
    ControllableHttpServer slow = server("slow");
    ControllableHttpServer fast = server("fast");
    serve(edsCluster("catalog").toBuilder().setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)
            .setLeastRequestLbConfig(Cluster.LeastRequestLbConfig.newBuilder().setChoiceCount(UInt32Value.of(5)))
            .build(),
        RouteAction.newBuilder(), cla(locality("z1", 0, slow, fast)));
    assertThat(call()).isIn("slow", "fast"); // config loaded

    slow.stall();
    int n = 40;
    ExecutorService callers = Executors.newCachedThreadPool();
    AtomicInteger fastDone = new AtomicInteger();
    List<Future<String>> calls = new ArrayList<>();
    int slowBefore = slow.arrivals();
    try {
      for (int i = 0; i < n; i++) {
        calls.add(callers.submit(() -> {
          String body = call();
          if (body.equals("fast")) {
            fastDone.incrementAndGet();
          }
          return body;
        }));
        // One at a time: the next pick sees this request in flight (stalled on "slow") or finished (on "fast").
        int expected = i + 1;
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2))
            .until(() -> slow.arrivals() - slowBefore + fastDone.get() == expected);
      }
      // Once "slow" holds a request, it is picked only when all five draws are "slow": p = 1/32, so about 1.3 of
      // 40, plus at most the first pick (a tie). Round robin would send it 20; five standard deviations of
      // binomial(40, 1/32) above the mean is 7.
      assertThat(slow.arrivals() - slowBefore).isBetween(1, 8);
    } finally {
      slow.release();
    }
    for (Future<String> f : calls) {
      assertThat(f.get(10, TimeUnit.SECONDS)).isIn("slow", "fast");
    }
    callers.shutdown();

    // The stalled requests' leases were released when their bodies were read: "slow" is idle again and shares the
    // traffic (binomial(40, 1/2) is at least 4 with five standard deviations to spare); with its leases leaked it
    // would get about 1/32. Bodies closed unread release too (LeaseReleasingBodyTest checks each path).
    int slowNow = slow.arrivals();
    for (int i = 0; i < n; i++) {
      if (i % 2 == 0) {
        call();
      } else {
        client.newCall(new Request.Builder().url(URL).build()).execute().close();
      }
    }
    assertThat(slow.arrivals() - slowNow).isBetween(4, 36);
  }
}

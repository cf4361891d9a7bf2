package io.mesh4j.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.stub.ClientCalls;
import io.mesh4j.runtime.testing.FreePorts;
import io.mesh4j.spring.grpc.MeshGrpcChannels;
import io.mesh4j.spring.inbound.MeshInboundFilter;
import io.mesh4j.test.MeshControlPlane;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The sample end to end: a real local control plane serving the sample's own YAML (through {@code @MeshControlPlane}),
 * the real backends, the application on a free port under its server listener, and every client kind routed by the
 * mesh.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT, properties = "mesh.listener-wait=20s")
@MeshControlPlane(config = "classpath:mesh")
class SampleApplicationTest {
  /** Chosen before the control plane starts: inbound.yaml names the server listener of this port. */
  private static final int PORT = FreePorts.next();
  private static final String CATALOG = "http://catalog.shop.svc.cluster.local:8080/items";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Value("${local.server.port}")
  int port;
  @Autowired
  RestTemplateBuilder restTemplateBuilder;
  @Autowired
  WebClient.Builder webClientBuilder;
  @Autowired
  MeshGrpcChannels grpcChannels;
  @Autowired
  HealthEndpointGroups healthGroups;

  @Autowired
  MeshInboundFilter inbound;

  @DynamicPropertySource
  static void serverPort(DynamicPropertyRegistry registry) {
    registry.add("server.port", () -> PORT);
  }

  @BeforeAll
  static void startBackends() {
    SampleBackends.shared();
    System.setProperty("sample.server.port", Integer.toString(PORT));
  }

  @BeforeEach
  void serverListenerArrived() throws Exception {
    inbound.ready().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }


  @Test
  void theServerListenersRbacDeniesAdmin() {
    ResponseEntity<String> denied = app().get().uri("/admin/reset").retrieve()
        .onStatus(status -> true, (request, response) -> { })
        .toEntity(String.class);
    assertThat(denied.getStatusCode().value()).isEqualTo(403);
    assertThat(denied.getBody()).isEqualTo("RBAC: access denied");
  }

  private RestClient app() {
    return RestClient.create("http://localhost:" + port);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> get(String path, String... headers) {
    return app().get().uri(path).headers(h -> {
      for (int i = 0; i < headers.length; i += 2) {
        h.add(headers[i], headers[i + 1]);
      }
    }).retrieve().body(Map.class);
  }

  @Test
  void catalogCallsAreSplitNinetyTen() {
    Map<Object, Integer> counts = new HashMap<>();
    int n = 400;
    for (int i = 0; i < n; i++) {
      counts.merge(get("/catalog").get("servedBy"), 1, Integer::sum);
    }
    assertThat(counts.keySet()).containsOnly("v1", "v2");
    // v2's count is binomial(400, 0.1): mean 40, standard deviation 6; five of them either side.
    assertThat(counts.getOrDefault("v2", 0)).isBetween(10, 70);
    assertThat(counts.get("v1") + counts.getOrDefault("v2", 0)).isEqualTo(n);
  }

  @Test
  void theNewSearchHeaderAlwaysGoesToV2() {
    for (int i = 0; i < 20; i++) {
      assertThat(get("/catalog", "x-feature", "new-search")).containsEntry("servedBy", "v2");
    }
  }

  @Test
  void restTemplateBuilderClientsAreRouted() {
    HttpHeaders headers = new HttpHeaders();
    headers.add("x-feature", "new-search");
    ResponseEntity<String> answer = restTemplateBuilder.build()
        .exchange(CATALOG, HttpMethod.GET, new HttpEntity<>(headers), String.class);
    assertThat(answer.getHeaders().getFirst("x-catalog-version")).isEqualTo("v2");
    assertThat(answer.getBody()).contains("cold brew");
  }

  @Test
  void webClientBuilderClientsAreRouted() {
    ResponseEntity<String> answer = webClientBuilder.build().get().uri(CATALOG).header("x-feature", "new-search")
        .retrieve().toEntity(String.class).block(WAIT);
    assertThat(answer.getHeaders().getFirst("x-catalog-version")).isEqualTo("v2");
  }

  @Test
  void grpcCallsAreRouted() {
    assertThat(get("/inventory?item=latte")).containsEntry("answer", "inventory:latte=35");
    String direct = ClientCalls.blockingUnaryCall(
        grpcChannels.channel("mesh:///inventory.shop.svc.cluster.local:9090"), InventoryGrpc.COUNT,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), "mocha");
    assertThat(direct).isEqualTo("inventory:mocha=35");
  }

  @Test
  @SuppressWarnings("unchecked")
  void actuatorShowsTheMeshHealthyInReadinessWithEveryResourceAcked() {
    await().atMost(WAIT).untilAsserted(() -> {
      Map<String, Object> health = get("/actuator/health");
      Map<String, Object> mesh = (Map<String, Object>) ((Map<String, Object>) health.get("components")).get("mesh");
      assertThat(mesh).containsEntry("status", "UP");
    });
    assertThat(healthGroups.get("readiness").isMember("mesh")).isTrue();
    Map<String, Object> readiness = get("/actuator/health/readiness");
    assertThat((Map<String, Object>) readiness.get("components")).containsKeys("mesh", "readinessState");

    get("/catalog");
    Map<String, Object> status = get("/actuator/mesh");
    List<Map<String, Object>> resources = (List<Map<String, Object>>) status.get("resources");
    assertThat(resources).extracting(r -> r.get("type") + " " + r.get("name") + " " + r.get("state"))
        .contains("Listener catalog.shop.svc.cluster.local:8080 ACKED", "RouteConfiguration catalog-routes ACKED",
            "Cluster catalog-v1 ACKED", "Cluster catalog-v2 ACKED", "ClusterLoadAssignment catalog-v1 ACKED",
            "ClusterLoadAssignment catalog-v2 ACKED");
    assertThat(get("/actuator/mesh/config").toString()).contains("new-search-to-v2").contains("weighted_clusters");

    String prometheus = app().get().uri("/actuator/prometheus").retrieve().body(String.class);
    assertThat(prometheus).contains("http_server_requests_seconds_count").contains("uri=\"/catalog\"");
    // The routed call to the catalog backends, recorded by the mesh into the application's registry.
    assertThat(prometheus).containsPattern("istio_requests_total\\{[^}]*reporter=\"source\"[^}]*\\} [1-9]");
  }
}

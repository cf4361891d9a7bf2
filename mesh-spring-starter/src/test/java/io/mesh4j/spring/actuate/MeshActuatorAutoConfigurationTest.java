package io.mesh4j.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.mesh4j.runtime.testing.NamedHttpServer;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.spring.MeshAutoConfiguration;
import io.mesh4j.spring.MeshTestBed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class MeshActuatorAutoConfigurationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TARGET = "catalog.mesh:8080";

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(
          MeshAutoConfiguration.class, MeshEndpointAutoConfiguration.class, MeshHealthAutoConfiguration.class))
      .withPropertyValues("mesh.listener-wait=20s", "management.endpoints.web.exposure.include=mesh");

  @Test
  void theEndpointListsEveryResourceAckedAndDumpsTheConfig() {
    try (NamedHttpServer catalog = NamedHttpServer.start("catalog-v1");
        MeshTestBed mesh = new MeshTestBed().route(TARGET, catalog.hostPort())) {
      runner.withPropertyValues(mesh.bootstrapProperty()).run(context -> {
        call(context.getBean(OkHttpClient.class), "http://" + TARGET + "/items");
        MeshEndpoint endpoint = context.getBean(MeshEndpoint.class);
        await().atMost(WAIT).untilAsserted(() -> assertThat(resources(endpoint.status()))
            .extracting(r -> r.get("type") + " " + r.get("state"))
            .containsExactlyInAnyOrder("Listener ACKED", "RouteConfiguration ACKED", "Cluster ACKED",
                "ClusterLoadAssignment ACKED"));
        assertThat(endpoint.status()).containsEntry("connected", true);

        Map<String, Object> dump = endpoint.part("config");
        assertThat(resources(dump)).filteredOn(r -> "Listener".equals(r.get("type"))).singleElement()
            .satisfies(listener -> {
              assertThat(listener.get("name")).isEqualTo(TARGET);
              assertThat(listener.get("version")).isEqualTo("1");
              assertThat(listener.get("resource").toString()).contains("c0-routes").contains("HttpConnectionManager");
            });
        assertThat(endpoint.part("other")).isNull();
      });
    }
  }

  @Test
  void healthIsDownUntilTheControlPlaneAnswersForTheWarmUpTargets() {
    try (NamedHttpServer catalog = NamedHttpServer.start("catalog-v1"); MeshTestBed mesh = new MeshTestBed()) {
      mesh.controlPlane().stop();
      runner.withPropertyValues(mesh.bootstrapProperty(), "mesh.warm-up-targets=" + TARGET).run(context -> {
        MeshHealthIndicator health = context.getBean(MeshHealthIndicator.class);
        Health down = health.health();
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails().get("problems").toString()).contains("no configuration for " + TARGET);

        mesh.controlPlane().restart();
        mesh.route(TARGET, catalog.hostPort());
        await().atMost(WAIT).until(() -> health.health().getStatus().equals(Status.UP));
        assertThat(health.health().getDetails()).containsEntry("warmUpTargets", Map.of(TARGET, true));
      });
    }
  }

  @Test
  void aRejectedResourceWithNothingToFallBackOnIsDownAndOneWithAnEarlierVersionIsListed() {
    try (NamedHttpServer catalog = NamedHttpServer.start("catalog-v1"); MeshTestBed mesh = new MeshTestBed()) {
      serve(mesh, "1", catalog, badRoute());
      runner.withPropertyValues(mesh.bootstrapProperty(), "mesh.warm-up-targets=" + TARGET).run(context -> {
        MeshHealthIndicator health = context.getBean(MeshHealthIndicator.class);
        await().atMost(WAIT).untilAsserted(() -> assertThat(health.health().getDetails()).containsKey("nacked"));
        Health rejected = health.health();
        assertThat(rejected.getStatus()).isEqualTo(Status.DOWN);
        assertThat(rejected.getDetails().get("problems").toString())
            .contains("RouteConfiguration routes was rejected and no earlier version was accepted");

        serve(mesh, "2", catalog, goodRoute());
        await().atMost(WAIT).until(() -> health.health().getStatus().equals(Status.UP));

        serve(mesh, "3", catalog, badRoute());
        await().atMost(WAIT).untilAsserted(() -> assertThat(health.health().getDetails()).containsKey("nacked"));
        Health stillServing = health.health();
        assertThat(stillServing.getStatus()).isEqualTo(Status.UP);
        assertThat(stillServing.getDetails().get("nacked").toString()).contains("safe_regex");
      });
    }
  }

  @Test
  void anExpiredWorkloadCertificateIsDown(@TempDir Path dir) {
    TestPki.Ca ca = TestPki.root("mesh-ca");
    ca.leaf().spiffe("spiffe://cluster.local/ns/shop/sa/catalog").expired().issue().writeIstioFiles(dir, ca.root());
    try (MeshTestBed mesh = new MeshTestBed()) {
      String bootstrap = TlsResources.withFileWatcher(mesh.controlPlane().bootstrapJson(), "default", dir, "1s");
      runner.withPropertyValues("mesh.bootstrap-json=" + bootstrap.replace("\n", " ")).run(context -> {
        Health health = context.getBean(MeshHealthIndicator.class).health();
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails().get("problems").toString()).contains("certificate provider 'default'");
      });
    }
  }

  @Test
  void aValidWorkloadCertificateIsListed(@TempDir Path dir) {
    TestPki.Ca ca = TestPki.root("mesh-ca");
    ca.leaf("spiffe://cluster.local/ns/shop/sa/catalog").writeIstioFiles(dir, ca.root());
    try (MeshTestBed mesh = new MeshTestBed()) {
      String bootstrap = TlsResources.withFileWatcher(mesh.controlPlane().bootstrapJson(), "default", dir, "1s");
      runner.withPropertyValues("mesh.bootstrap-json=" + bootstrap.replace("\n", " ")).run(context -> {
        MeshHealthIndicator indicator = context.getBean(MeshHealthIndicator.class);
        await().atMost(WAIT).until(() -> indicator.health().getStatus().equals(Status.UP));
        assertThat(indicator.health().getDetails().get("certificates").toString()).contains("notAfter");
      });
    }
  }

  @Test
  void theEndpointIsOnlyThereWhenExposed() {
    try (MeshTestBed mesh = new MeshTestBed()) {
      runner.withPropertyValues(mesh.bootstrapProperty(), "management.endpoints.web.exposure.include=health")
          .run(context -> assertThat(context).doesNotHaveBean(MeshEndpoint.class)
              .hasSingleBean(MeshHealthIndicator.class));
    }
  }

  @Test
  void theHealthIndicatorCanBeSwitchedOff() {
    try (MeshTestBed mesh = new MeshTestBed()) {
      runner.withPropertyValues(mesh.bootstrapProperty(), "management.health.mesh.enabled=false")
          .run(context -> assertThat(context).hasSingleBean(MeshEndpoint.class)
              .doesNotHaveBean(MeshHealthIndicator.class));
    }
  }

  @Test
  void withoutActuatorOnTheClassPathTheApplicationStartsWithTheMeshAlone() {
    try (MeshTestBed mesh = new MeshTestBed()) {
      runner.withPropertyValues(mesh.bootstrapProperty())
          .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health"))
          .run(context -> assertThat(context).hasNotFailed().hasSingleBean(io.mesh4j.Mesh.class)
              .doesNotHaveBean(MeshEndpoint.class).doesNotHaveBean(MeshHealthIndicator.class));
    }
  }

  private static void serve(MeshTestBed mesh, String version, NamedHttpServer catalog, Route route) {
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("catalog").addDomains(TARGET).addRoutes(route))
        .build();
    mesh.controlPlane().setSnapshot(version, List.of(XdsResources.apiListener(TARGET, "routes")), List.of(routes),
        List.of(XdsResources.edsCluster("catalog")), List.of(XdsResources.cla("catalog", catalog.hostPort())));
  }

  private static Route goodRoute() {
    return Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster("catalog")).build();
  }

  /** An unbalanced regex: the decoder rejects it, naming the field. */
  private static Route badRoute() {
    return Route.newBuilder().setMatch(RouteMatch.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex("/items(")))
        .setRoute(RouteAction.newBuilder().setCluster("catalog")).build();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> resources(Map<String, Object> view) {
    return (List<Map<String, Object>>) view.get("resources");
  }

  private static void call(OkHttpClient client, String url) throws Exception {
    try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
      assertThat(response.body().string()).isEqualTo("catalog-v1");
    }
  }
}

package io.mesh4j.spring;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mesh4j.Mesh;
import io.mesh4j.MeshConfigurationException;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class MeshAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class));

  @TempDir Path cacheDir;

  @Test
  void theOkHttpClientBeanIsRoutedByTheMeshConfiguredFromProperties() throws Exception {
    try (LoopbackControlPlane controlPlane = LoopbackControlPlane.start();
        NamedHttpServer catalog = NamedHttpServer.start("catalog-v1")) {
      controlPlane.setSnapshot("1", List.of(apiListener("catalog.mesh:8080", "routes")),
          List.of(routeConfig("routes", "catalog.mesh:8080", "catalog")), List.of(edsCluster("catalog")),
          List.of(cla("catalog", catalog.hostPort())));
      runner
          .withPropertyValues(
              "mesh.bootstrap-json=" + controlPlane.bootstrapJson().replace("\n", " "),
              "mesh.listener-wait=10s",
              "mesh.config-cache-dir=" + cacheDir)
          .run(context -> {
            assertThat(context).hasSingleBean(Mesh.class).hasSingleBean(OkHttpClient.class);
            OkHttpClient client = context.getBean(OkHttpClient.class);
            try (Response response = client.newCall(
                new Request.Builder().url("http://catalog.mesh:8080/items").build()).execute()) {
              assertThat(response.body().string()).isEqualTo("catalog-v1");
            }
            // What the mesh accepted is persisted in mesh.config-cache-dir.
            await().atMost(Duration.ofSeconds(20)).until(() -> {
              try (var files = Files.list(cacheDir)) {
                return files.filter(f -> f.toString().endsWith(".xdsc")).count() == 4;
              }
            });
          });
    }
  }

  @Test
  void aBadBootstrapFailsStartupNamingTheField() {
    runner.withPropertyValues("mesh.bootstrap-json={\"xds_servers\": [{}]}")
        .run(context -> assertThat(context).hasFailed()
            .getFailure().rootCause()
            .isInstanceOf(MeshConfigurationException.class)
            .hasMessageContaining("xds_servers[0].server_uri"));
  }

  @Test
  void bothBootstrapSourcesAtOnceAreRefused() {
    runner.withPropertyValues("mesh.bootstrap-json={}", "mesh.bootstrap-file=/tmp/bootstrap.json")
        .run(context -> assertThat(context).hasFailed()
            .getFailure().rootCause().hasMessageContaining("mesh.bootstrap-file and mesh.bootstrap-json"));
  }

  @Test
  void anApplicationsOwnOkHttpClientIsLeftAloneAndTheAdaptersStillUseTheMesh() {
    OkHttpClient own = new OkHttpClient();
    try (MeshTestBed mesh = new MeshTestBed()) {
      runner.withPropertyValues(mesh.bootstrapProperty())
          .withBean(OkHttpClient.class, () -> own)
          .run(context -> {
            assertThat(context.getBean(OkHttpClient.class)).isSameAs(own);
            assertThat(context.getBean(MeshClients.class).routed()).isNotSameAs(own);
            assertThat(context.getBean(MeshClients.class).routed().interceptors()).isNotEmpty();
          });
    }
  }

  @Test
  void propertiesBindWarmUpTargetsAndOptOuts() {
    try (MeshTestBed mesh = new MeshTestBed()) {
      runner.withPropertyValues(mesh.bootstrapProperty(), "mesh.warm-up-targets=a.mesh:80,b.mesh:81",
              "mesh.clients[legacy.example.com].enabled=false", "mesh.clients.billing.enabled=true",
              "mesh.outbound-traffic-policy=registry-only")
          .run(context -> {
            MeshProperties properties = context.getBean(MeshProperties.class);
            assertThat(properties.getWarmUpTargets()).containsExactly("a.mesh:80", "b.mesh:81");
            assertThat(properties.getOutboundTrafficPolicy()).isEqualTo(io.mesh4j.OutboundTrafficPolicy.REGISTRY_ONLY);
            MeshClients clients = context.getBean(MeshClients.class);
            assertThat(clients.routes("legacy.example.com")).isFalse();
            assertThat(clients.forHost("legacy.example.com")).isSameAs(clients.direct());
            assertThat(clients.routes("billing")).isTrue();
            assertThat(clients.forHost("catalog.mesh")).isSameAs(clients.routed());
            assertThat(context.getBean(MeshWarmUp.class).answered()).containsOnlyKeys("a.mesh:80", "b.mesh:81");
          });
    }
  }

  @Test
  void startsWithoutMicrometerServletOrWebFlux() {
    try (MeshTestBed mesh = new MeshTestBed()) {
      runner.withPropertyValues(mesh.bootstrapProperty())
          .withClassLoader(new FilteredClassLoader("io.micrometer", "jakarta.servlet", "org.springframework.web.reactive",
              "reactor.core"))
          .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Mesh.class).hasSingleBean(MeshClients.class));
    }
  }

  @Test
  void builderCustomizersApplyAfterTheProperties() {
    try (MeshTestBed mesh = new MeshTestBed()) {
      runner.withPropertyValues(mesh.bootstrapProperty(), "mesh.listener-wait=20s")
          .withBean(MeshBuilderCustomizer.class, () -> builder -> builder.listenerWait(java.time.Duration.ofSeconds(3)))
          .withBean(CapturingCustomizer.class)
          .run(context -> assertThat(context.getBean(CapturingCustomizer.class).listenerWait)
              .isEqualTo(java.time.Duration.ofSeconds(3)));
    }
  }

  /** Runs last and records what the builder holds by then. */
  @org.springframework.core.annotation.Order(org.springframework.core.Ordered.LOWEST_PRECEDENCE)
  static class CapturingCustomizer implements MeshBuilderCustomizer {
    java.time.Duration listenerWait;

    @Override
    public void customize(io.mesh4j.MeshBuilder builder) {
      listenerWait = builder.options().listenerWait();
    }
  }

  @Test
  void aBootstrapFileIsRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    try (MeshTestBed mesh = new MeshTestBed()) {
      java.nio.file.Path file = dir.resolve("bootstrap.json");
      java.nio.file.Files.writeString(file, mesh.controlPlane().bootstrapJson());
      runner.withPropertyValues("mesh.bootstrap-file=" + file)
          .run(context -> assertThat(context.getBean(Mesh.class).status().controlPlane())
              .isEqualTo(mesh.controlPlane().target()));
    }
  }

  @Test
  void anApplicationsOwnMeshIsTheOneTheClientsUse() {
    try (MeshTestBed mesh = new MeshTestBed();
        Mesh own = Mesh.builder().bootstrapJson(mesh.controlPlane().bootstrapJson()).build()) {
      runner.withBean(Mesh.class, () -> own, definition -> definition.setDestroyMethodName(""))
          .run(context -> {
            assertThat(context).hasSingleBean(Mesh.class);
            assertThat(context.getBean(Mesh.class)).isSameAs(own);
            assertThat(context).hasSingleBean(MeshClients.class);
          });
    }
  }

  @Test
  void withoutOkHttpOnTheClassPathNothingStarts() {
    runner.withClassLoader(new FilteredClassLoader(OkHttpClient.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Mesh.class));
  }

  @Test
  void disabledMeshProvidesNothing() {
    runner.withPropertyValues("mesh.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(Mesh.class).doesNotHaveBean(OkHttpClient.class)
            .doesNotHaveBean(MeshClients.class).doesNotHaveBean(MeshWarmUp.class));
  }
}

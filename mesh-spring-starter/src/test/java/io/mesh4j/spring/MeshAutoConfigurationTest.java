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
  void disabledMeshProvidesNothing() {
    runner.withPropertyValues("mesh.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(Mesh.class).doesNotHaveBean(OkHttpClient.class));
  }
}

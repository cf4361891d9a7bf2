package io.mesh4j.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.NamedHttpServer;
import io.mesh4j.samples.controlplane.LocalControlPlane;
import io.mesh4j.spring.MeshAutoConfiguration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

@SpringJUnitConfig(MeshControlPlaneExtensionTest.App.class)
@MeshControlPlane(config = "classpath:mesh")
class MeshControlPlaneExtensionTest {
  private static NamedHttpServer catalog;

  @Autowired
  OkHttpClient client;
  @Autowired
  Mesh mesh;

  @BeforeAll
  static void startBackend() {
    catalog = NamedHttpServer.start("catalog");
    System.setProperty("mesh-test.catalog.port", Integer.toString(catalog.port()));
  }

  @AfterAll
  static void stopBackend() {
    catalog.close();
    System.clearProperty("mesh-test.catalog.port");
  }

  @Test
  void theApplicationsMeshTalksToTheControlPlaneServingTheFiles(LocalControlPlane controlPlane) throws Exception {
    assertThat(mesh.status().controlPlane()).isEqualTo("127.0.0.1:" + controlPlane.port());
    try (Response response = client.newCall(new Request.Builder().url("http://catalog.test:8080/").build()).execute()) {
      assertThat(response.body().string()).isEqualTo("catalog");
    }
  }

  @Test
  void theSameFilesAndValuesShareOneControlPlane(LocalControlPlane controlPlane) {
    assertThat(LocalControlPlanes.serve("classpath:mesh")).isSameAs(controlPlane);
  }

  @Test
  void anUnsetPlaceholderIsNamed() {
    System.clearProperty("mesh-test.catalog.port");
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalControlPlanes.serve("classpath:mesh"))
          .hasMessageContaining("mesh-test.catalog.port");
    } finally {
      System.setProperty("mesh-test.catalog.port", Integer.toString(catalog.port()));
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(MeshAutoConfiguration.class)
  static class App {}
}

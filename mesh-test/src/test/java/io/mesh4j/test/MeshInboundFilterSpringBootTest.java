package io.mesh4j.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.testing.FreePorts;
import io.mesh4j.spring.inbound.MeshInboundFilter;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Spring MVC application on Tomcat with the starter's filter, its port under a server listener served from the
 * files of {@code classpath:inbound} (RBAC denies {@code /admin}); a second connector of the same Tomcat is not
 * under the mesh.
 */
@SpringBootTest(classes = {InboundTestApplication.class, MeshInboundFilterSpringBootTest.SecondConnector.class},
    webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT, properties = "mesh.inbound.enabled=true")
@MeshControlPlane(config = "classpath:inbound")
class MeshInboundFilterSpringBootTest {
  private static final int PORT = FreePorts.next();
  private static final OkHttpClient CLIENT = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(60)).build();

  @Autowired
  MeshInboundFilter filter;
  @Autowired
  SecondConnector second;

  @DynamicPropertySource
  static void serverPort(DynamicPropertyRegistry registry) {
    registry.add("server.port", () -> PORT);
  }

  @BeforeAll
  static void nameThePort() {
    System.setProperty("mesh-test.inbound.port", Integer.toString(PORT));
  }

  @AfterAll
  static void clear() {
    System.clearProperty("mesh-test.inbound.port");
  }

  @BeforeEach
  void listenerArrived() throws Exception {
    filter.ready().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void anAllowedPathIsServed() throws IOException {
    assertThat(filter.port()).isEqualTo(PORT);
    assertThat(get(PORT, "/catalog", 200)).isEqualTo("catalog peer=none");
  }

  @Test
  void aDeniedPathIsRefusedByTheListenersRbac() throws IOException {
    assertThat(get(PORT, "/admin", 403)).isEqualTo("RBAC: access denied");
  }

  @Test
  void anotherPortOfTheSameServerIsNotUnderTheMesh() throws IOException {
    assertThat(get(second.connector.getLocalPort(), "/admin", 200)).isEqualTo("admin peer=none");
  }

  private static String get(int port, String path, int status) throws IOException {
    try (Response response = CLIENT.newCall(new Request.Builder().url("http://127.0.0.1:" + port + path).build())
        .execute()) {
      assertThat(response.code()).as(path).isEqualTo(status);
      return response.body().string();
    }
  }

  /** A second plaintext connector on a port of its own, as a separate management or admin port would be. */
  @TestConfiguration(proxyBeanMethods = false)
  static class SecondConnector {
    final Connector connector = new Connector();

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> secondConnector() {
      connector.setPort(0);
      return factory -> factory.addAdditionalConnectors(connector);
    }
  }
}

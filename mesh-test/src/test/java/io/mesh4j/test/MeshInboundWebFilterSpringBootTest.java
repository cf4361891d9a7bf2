package io.mesh4j.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.testing.FreePorts;
import io.mesh4j.spring.inbound.MeshInboundWebFilter;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A WebFlux application on Reactor Netty with the starter's {@code WebFilter}, its port under a server listener
 * served from the files of {@code classpath:inbound} (RBAC denies {@code /admin}).
 */
@SpringBootTest(classes = ReactiveInboundTestApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
    properties = {"mesh.inbound.enabled=true", "spring.main.web-application-type=reactive"})
@MeshControlPlane(config = "classpath:inbound")
class MeshInboundWebFilterSpringBootTest {
  private static final int PORT = FreePorts.next();
  private static final OkHttpClient CLIENT = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(60)).build();

  @Autowired
  MeshInboundWebFilter filter;

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
    assertThat(get("/catalog", 200)).isEqualTo("catalog peer=none");
  }

  @Test
  void aDeniedPathIsRefusedByTheListenersRbac() throws IOException {
    assertThat(get("/admin", 403)).isEqualTo("RBAC: access denied");
  }

  private static String get(String path, int status) throws IOException {
    try (Response response = CLIENT.newCall(new Request.Builder().url("http://127.0.0.1:" + PORT + path).build())
        .execute()) {
      assertThat(response.code()).as(path).isEqualTo(status);
      return response.body().string();
    }
  }
}

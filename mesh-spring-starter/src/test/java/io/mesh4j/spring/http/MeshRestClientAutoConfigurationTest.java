package io.mesh4j.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.testing.NamedHttpServer;
import io.mesh4j.spring.MeshAutoConfiguration;
import io.mesh4j.spring.MeshTestBed;
import java.time.Duration;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

class MeshRestClientAutoConfigurationTest {
  private static MeshTestBed mesh;
  private static NamedHttpServer routedTo;
  private static NamedHttpServer direct;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, MeshRestClientAutoConfiguration.class,
          HttpClientAutoConfiguration.class, ImperativeHttpClientAutoConfiguration.class,
          RestClientAutoConfiguration.class, RestTemplateAutoConfiguration.class))
      .withPropertyValues(mesh.bootstrapProperty(), "mesh.listener-wait=20s");

  /** localhost:{direct's port} is a mesh name whose routes lead to another server: who answers tells the path. */
  @BeforeAll
  static void startMesh() {
    routedTo = NamedHttpServer.start("routed");
    direct = NamedHttpServer.start("direct");
    mesh = new MeshTestBed().route("localhost:" + direct.port(), routedTo.hostPort());
  }

  @AfterAll
  static void stopMesh() {
    mesh.close();
    routedTo.close();
    direct.close();
  }

  private static String url() {
    return "http://localhost:" + direct.port() + "/items";
  }

  @Test
  void restClientBuilderSendsThroughTheMesh() {
    runner.run(context -> {
      RestClient client = context.getBean(RestClient.Builder.class).build();
      assertThat(client.get().uri(url()).retrieve().body(String.class)).isEqualTo("routed");
      assertThat(client.post().uri(url()).contentType(MediaType.TEXT_PLAIN).body("a body").retrieve()
          .toEntity(String.class).getHeaders().getFirst("x-served-by")).isEqualTo("routed");
    });
  }

  @Test
  void restTemplateBuilderSendsThroughTheMeshAndKeepsItsOwnSettings() {
    runner.run(context -> {
      RestTemplateBuilder builder = context.getBean(RestTemplateBuilder.class);
      RestTemplate template = builder.readTimeout(Duration.ofSeconds(7)).build();
      assertThat(template.getForObject(url(), String.class)).isEqualTo("routed");
      MeshClientHttpRequestFactory factory = (MeshClientHttpRequestFactory) template.getRequestFactory();
      assertThat(factory.routedClient().readTimeoutMillis()).isEqualTo(7000);
    });
  }

  @Test
  void bootsHttpClientSettingsGiveTheTimeouts() {
    runner.withPropertyValues("spring.http.clients.connect-timeout=3s", "spring.http.clients.read-timeout=4s")
        .run(context -> {
          MeshClientHttpRequestFactory factory = (MeshClientHttpRequestFactory) context
              .getBean(RestTemplateBuilder.class).buildRequestFactory();
          OkHttpClient client = factory.routedClient();
          assertThat(client.connectTimeoutMillis()).isEqualTo(3000);
          assertThat(client.readTimeoutMillis()).isEqualTo(4000);
        });
  }

  @Test
  void aHostOptedOutIsCalledDirectly() {
    runner.withPropertyValues("mesh.clients[localhost].enabled=false").run(context -> {
      RestClient client = context.getBean(RestClient.Builder.class).build();
      assertThat(client.get().uri(url()).retrieve().body(String.class)).isEqualTo("direct");
      assertThat(context.getBean(RestTemplateBuilder.class).build().getForObject(url(), String.class))
          .isEqualTo("direct");
    });
  }

  @Test
  void withoutRestClientOnTheClassPathNothingIsAdded() {
    runner.withClassLoader(new FilteredClassLoader(RestClient.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RestClientCustomizer.class));
  }

  @Test
  void disabledMeshLeavesTheBuildersAlone() {
    runner.withPropertyValues("mesh.enabled=false").run(context -> {
      assertThat(context).doesNotHaveBean(RestClientCustomizer.class);
      assertThat(context.getBean(RestTemplateBuilder.class).buildRequestFactory())
          .isNotInstanceOf(MeshClientHttpRequestFactory.class);
    });
  }
}

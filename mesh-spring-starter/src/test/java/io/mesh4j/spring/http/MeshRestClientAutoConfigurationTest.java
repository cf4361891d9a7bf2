package io.mesh4j.spring.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.testing.NamedHttpServer;
import io.mesh4j.spring.MeshAutoConfiguration;
import io.mesh4j.spring.MeshTestBed;
import io.mesh4j.spring.StreamingHttpServer;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
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
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

class MeshRestClientAutoConfigurationTest {
  private static MeshTestBed mesh;
  private static NamedHttpServer routedTo;
  private static NamedHttpServer direct;
  private static StreamingHttpServer streaming;
  private static final long FIFTY_MB = 50L * 1024 * 1024;
  /** Far less than the body: what socket buffers may hold, not the whole body. */
  private static final long AHEAD_BOUND = 16L * 1024 * 1024;

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
    streaming = new StreamingHttpServer();
    mesh = new MeshTestBed().route("localhost:" + direct.port(), routedTo.hostPort())
        .route("stream.mesh:8081", streaming.hostPort());
  }

  @AfterAll
  static void stopMesh() {
    mesh.close();
    routedTo.close();
    direct.close();
    streaming.close();
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
  void fiftyMegabytesAreStreamedEachWayAtThePaceOfTheOtherSide() {
    runner.run(context -> {
      RestClient client = context.getBean(RestClient.Builder.class).build();
      long receivedBefore = streaming.received();
      AtomicLong maxAheadUp = new AtomicLong();
      String answer = client.post().uri("http://stream.mesh:8081/upload")
          .body((StreamingHttpOutputMessage.Body) out -> {
            for (long offset = 0; offset < FIFTY_MB; offset += StreamingHttpServer.CHUNK) {
              maxAheadUp.accumulateAndGet(offset - (streaming.received() - receivedBefore), Math::max);
              out.write(StreamingHttpServer.pattern(offset, StreamingHttpServer.CHUNK));
            }
          })
          .retrieve().body(String.class);
      assertThat(answer).isEqualTo(FIFTY_MB + " " + StreamingHttpServer.sha256Of(FIFTY_MB));
      assertThat(maxAheadUp.get()).isPositive().isLessThan(AHEAD_BOUND);

      long writtenBefore = streaming.written();
      AtomicLong maxAheadDown = new AtomicLong();
      String digest = client.get().uri("http://stream.mesh:8081/download?bytes=" + FIFTY_MB)
          .exchange((request, response) -> {
            MessageDigest sha = StreamingHttpServer.sha256();
            byte[] buffer = new byte[StreamingHttpServer.CHUNK];
            long total = 0;
            try (InputStream in = response.getBody()) {
              for (int n; (n = in.read(buffer)) != -1; ) {
                sha.update(buffer, 0, n);
                total += n;
                maxAheadDown.accumulateAndGet(streaming.written() - writtenBefore - total, Math::max);
              }
            }
            assertThat(total).isEqualTo(FIFTY_MB);
            return HexFormat.of().formatHex(sha.digest());
          });
      assertThat(digest).isEqualTo(StreamingHttpServer.sha256Of(FIFTY_MB));
      assertThat(maxAheadDown.get()).isLessThan(AHEAD_BOUND);
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

package io.mesh4j.spring.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.testing.NamedHttpServer;
import io.mesh4j.spring.MeshAutoConfiguration;
import io.mesh4j.spring.MeshTestBed;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The application's Prometheus registry and observation registry are the mesh's: a call routed through the
 * starter's OkHttp client shows up as {@code istio_requests_total} in what {@code /actuator/prometheus} renders
 * (the registry's scrape), and as an observation.
 */
class MeshMetricsAutoConfigurationTest {
  private static MeshTestBed mesh;
  private static NamedHttpServer backend;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, MeshMetricsAutoConfiguration.class))
      .withPropertyValues(mesh.bootstrapProperty(), "mesh.listener-wait=20s");

  @BeforeAll
  static void startMesh() {
    backend = NamedHttpServer.start("catalog");
    mesh = new MeshTestBed().route("catalog.mesh:8080", backend.hostPort());
  }

  @AfterAll
  static void stopMesh() {
    mesh.close();
    backend.close();
  }

  @Test
  void aRoutedCallIsInTheApplicationsPrometheusScrapeAndObserved() {
    List<String> observed = new CopyOnWriteArrayList<>();
    runner.withBean(PrometheusMeterRegistry.class, () -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
        .withBean(ObservationRegistry.class, () -> {
          ObservationRegistry registry = ObservationRegistry.create();
          registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStart(Observation.Context context) {
              observed.add(context.getName());
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
              return true;
            }
          });
          return registry;
        })
        .run(context -> {
          assertThat(context).hasNotFailed();
          OkHttpClient client = context.getBean(OkHttpClient.class);
          try (Response response = client.newCall(new Request.Builder().url("http://catalog.mesh:8080/").build())
              .execute()) {
            assertThat(response.body().string()).isEqualTo("catalog");
          }

          String scrape = context.getBean(PrometheusMeterRegistry.class).scrape();
          assertThat(scrape).containsPattern("istio_requests_total\\{[^}]*reporter=\"source\"[^}]*\\} 1\\.0")
              .containsPattern("istio_requests_total\\{[^}]*response_code=\"200\"")
              .contains("istio_request_duration_milliseconds_bucket");
          assertThat(observed).isNotEmpty();
        });
  }

  @Test
  void withoutARegistryTheMeshStartsWithoutMetrics() {
    runner.run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(io.mesh4j.Mesh.class);
      assertThat(context).doesNotHaveBean(MeterRegistry.class);
    });
  }

  @Test
  void withoutMicrometerTheConfigurationStandsAside() {
    runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MeshMetricsAutoConfiguration.class));
  }
}

package io.mesh4j.spring.metrics;

import io.mesh4j.Mesh;
import io.mesh4j.spring.MeshBuilderCustomizer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Binds the mesh to the application's Micrometer registries: its {@link MeterRegistry} (Istio's request metrics, the
 * engine and xDS meters, so {@code /actuator/prometheus} shows {@code istio_requests_total}) and its
 * {@link ObservationRegistry} (an observation per request and per attempt, so Micrometer Tracing makes spans).
 *
 * <p>The registries are looked up when the mesh is built, not when this configuration is processed, so it needs no
 * ordering against Boot's metrics and observation auto-configurations; an application without a registry bean gets a
 * mesh without metrics (which costs nothing per request). Micrometer is optional: without it on the class path this
 * configuration is skipped.
 */
@AutoConfiguration
@ConditionalOnClass({Mesh.class, MeterRegistry.class, ObservationRegistry.class})
@ConditionalOnProperty(prefix = "mesh", name = "enabled", havingValue = "true", matchIfMissing = true)
public class MeshMetricsAutoConfiguration {

  /**
   * The application's registries into the mesh's builder. A context with several registries and no primary one
   * binds none of that kind, rather than guess.
   */
  @Bean
  public MeshBuilderCustomizer meshMicrometerCustomizer(ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<ObservationRegistry> observationRegistry) {
    return builder -> {
      MeterRegistry meters = meterRegistry.getIfUnique();
      if (meters != null) {
        builder.meterRegistry(meters);
      }
      ObservationRegistry observations = observationRegistry.getIfUnique();
      if (observations != null) {
        builder.observationRegistry(observations);
      }
    };
  }
}

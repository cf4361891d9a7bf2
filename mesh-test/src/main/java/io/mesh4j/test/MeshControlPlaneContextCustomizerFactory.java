package io.mesh4j.test;

import io.mesh4j.samples.controlplane.LocalControlPlane;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * For a Spring test annotated {@link MeshControlPlane}: when the context loads (after {@code @BeforeAll}, so the
 * placeholders' system properties can be set there), starts or reuses the control plane and sets
 * {@code mesh.bootstrap-json} to its bootstrap ({@link LocalControlPlanes#bootstrapJson}), ahead of the application's own properties. The config directory is
 * part of the context's cache key: test classes sharing a cached context must resolve its placeholders alike (start
 * shared backends once per JVM).
 */
public class MeshControlPlaneContextCustomizerFactory implements ContextCustomizerFactory {

  @Override
  public ContextCustomizer createContextCustomizer(
      Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
    MeshControlPlane annotation = TestContextAnnotationUtils.findMergedAnnotation(testClass, MeshControlPlane.class);
    if (annotation == null) {
      return null;
    }
    return new BootstrapCustomizer(annotation.config());
  }

  private record BootstrapCustomizer(String config) implements ContextCustomizer {
    BootstrapCustomizer {
      Objects.requireNonNull(config, "config");
    }

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration merged) {
      LocalControlPlane controlPlane = LocalControlPlanes.serve(config);
      context.getEnvironment().getPropertySources().addFirst(new MapPropertySource(
          "mesh4j-test-control-plane", Map.of("mesh.bootstrap-json", LocalControlPlanes.bootstrapJson(controlPlane))));
    }
  }
}

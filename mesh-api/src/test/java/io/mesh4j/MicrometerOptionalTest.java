package io.mesh4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An application without Micrometer on its class path builds options as before: nothing loads Micrometer. */
class MicrometerOptionalTest {
  @Test
  void theBuilderWorksWithoutMicrometerOnTheClassPath() throws Exception {
    URL apiClasses = Path.of("target/classes").toUri().toURL();
    // mesh-api and OkHttp (which Mesh names, as optional as Micrometer, but present in this test), nothing else.
    URL[] path = {apiClasses, jarOf(okhttp3.OkHttpClient.class), jarOf(okio.Buffer.class), jarOf(kotlin.Unit.class)};
    try (URLClassLoader withoutMicrometer = new URLClassLoader(path, ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> withoutMicrometer.loadClass("io.micrometer.core.instrument.MeterRegistry"))
          .isInstanceOf(ClassNotFoundException.class);
      Class<?> mesh = Class.forName("io.mesh4j.Mesh", true, withoutMicrometer);
      Object builder = mesh.getMethod("builder").invoke(null);
      builder = builder.getClass().getMethod("bootstrapJson", String.class).invoke(builder, "{}");
      builder = builder.getClass().getMethod("adminPort", int.class).invoke(builder, 15000);
      builder = builder.getClass().getMethod("accessLog", boolean.class).invoke(builder, true);
      Object options = builder.getClass().getMethod("options").invoke(builder);

      assertThat(options.toString()).contains("adminPort=15000").contains("meterRegistry=null")
          .contains("accessLog=true");
    }
  }

  private static URL jarOf(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }

  @Test
  void theAdminPortComesFromTheEnvironmentUnlessTheBuilderSaid() {
    assertThat(ObservabilityOptions.adminPortFromEnvironment(Map.of())).isEqualTo(-1);
    assertThat(ObservabilityOptions.adminPortFromEnvironment(Map.of("MESH4J_ADMIN_PORT", "15000"))).isEqualTo(15000);
    assertThatThrownBy(() -> ObservabilityOptions.adminPortFromEnvironment(Map.of("MESH4J_ADMIN_PORT", "admin")))
        .isInstanceOf(MeshConfigurationException.class).hasMessageContaining("MESH4J_ADMIN_PORT");
    assertThatThrownBy(() -> Mesh.builder().adminPort(70000)).isInstanceOf(MeshConfigurationException.class);
  }

  @Test
  void registriesAreCheckedByKindWhenGiven() {
    assertThat(Mesh.builder().meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry())
        .options().observability().meterRegistry()).isNotNull();
    assertThatThrownBy(() -> Mesh.builder().meterRegistry("prometheus"))
        .isInstanceOf(MeshConfigurationException.class)
        .hasMessage("meterRegistry must be a io.micrometer.core.instrument.MeterRegistry, got java.lang.String");
    assertThat(Mesh.builder().observationRegistry(io.micrometer.observation.ObservationRegistry.create())
        .options().observability().observationRegistry()).isNotNull();
  }

}

package io.mesh4j.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDirectoryTest {
  @TempDir Path project;

  @Test
  void findsTheConfigFromTheProjectRootAModuleOrBelow() throws Exception {
    Path config = Files.createDirectories(project.resolve("samples/demo/config"));
    Files.writeString(config.resolve("routes.yaml"), "# routes");
    Path below = Files.createDirectories(project.resolve("mesh-runtime/target"));

    assertThat(ConfigDirectory.find(project)).contains(config);
    assertThat(ConfigDirectory.find(project.resolve("samples/demo"))).contains(config);
    assertThat(ConfigDirectory.find(below)).contains(config);
  }

  @Test
  void findsNothingOutsideTheProject() {
    assertThat(ConfigDirectory.find(project)).isEmpty();
  }
}

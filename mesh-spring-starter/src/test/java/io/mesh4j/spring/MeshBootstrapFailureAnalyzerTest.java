package io.mesh4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.MeshConfigurationException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.env.MockEnvironment;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutputCaptureExtension.class)
class MeshBootstrapFailureAnalyzerTest {

  @Test
  void theReportNamesTheBootstrapPropertyAndTheField() {
    MockEnvironment environment = new MockEnvironment().withProperty("mesh.bootstrap-json", "{}");
    FailureAnalysis analysis = new MeshBootstrapFailureAnalyzer(environment)
        .analyze(new IllegalStateException("wrapped", new MeshConfigurationException("xds_servers: required")));
    assertThat(analysis.getDescription()).contains("mesh.bootstrap-json").contains("xds_servers: required");
    assertThat(analysis.getAction()).contains("mesh.enabled=false");
  }

  @Test
  void aFileIsNamedWithItsPath() {
    MockEnvironment environment = new MockEnvironment().withProperty("mesh.bootstrap-file", "/etc/mesh/bootstrap.json");
    assertThat(new MeshBootstrapFailureAnalyzer(environment).bootstrapSource())
        .isEqualTo("the property mesh.bootstrap-file (/etc/mesh/bootstrap.json)");
    assertThat(new MeshBootstrapFailureAnalyzer(new MockEnvironment()).bootstrapSource()).contains("GRPC_XDS_BOOTSTRAP");
  }

  @Test
  void aFailedStartupPrintsTheAnalysis(@TempDir Path dir, CapturedOutput output) {
    SpringApplication application = new SpringApplication(App.class);
    application.setWebApplicationType(WebApplicationType.NONE);
    try {
      application.run("--mesh.bootstrap-file=" + dir.resolve("missing.json"));
    } catch (RuntimeException expected) {
      // the analysis is logged, the exception rethrown
    }
    assertThat(output).contains("The mesh could not start from the property mesh.bootstrap-file")
        .contains("missing.json");
  }

  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(MeshAutoConfiguration.class)
  static class App {}
}

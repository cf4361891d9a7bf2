package io.mesh4j.samples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTemplatesTest {
  @Test
  void fillsEveryPlaceholder() {
    assertThat(ConfigTemplates.fill(Path.of("a.yaml"), "port_value: ${PORT}\nfile: \"${CA_FILE}\"",
        Map.of("PORT", "18102", "CA_FILE", "C:/x$1/ca.pem")))
        .isEqualTo("port_value: 18102\nfile: \"C:/x$1/ca.pem\"");
  }

  @Test
  void aPlaceholderWithoutValueNamesTheFile() {
    assertThatThrownBy(() -> ConfigTemplates.fill(Path.of("clusters.yaml"), "port_value: ${ORDERS_PORT}", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clusters.yaml: no value for ${ORDERS_PORT}");
  }

  @Test
  void theJarCarriesTheShippedTemplates(@TempDir Path dir) throws Exception {
    Path extracted = ConfigTemplates.extractBundled(dir, GatewaySetup.CONFIG_FILES);
    try (var shipped = Files.list(Path.of("config"))) {
      for (Path file : shipped.toList()) {
        assertThat(extracted.resolve(file.getFileName().toString())).hasSameTextualContentAs(file);
      }
    }
  }

  @Test
  void theServerBootstrapCarriesIstiosListenerTemplate() {
    assertThat(GatewaySetup.serverBootstrap("{\"xds_servers\":[],\"node\":{\"id\":\"n\"}}"))
        .contains("\"server_listener_resource_name_template\":\"xds.istio.io/grpc/lds/inbound/%s\"");
  }
}

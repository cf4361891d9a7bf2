package io.mesh4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeshStatusJsonTest {

  @Test
  void writesEveryFieldWithNullsAndEscapes() {
    MeshStatus status = new MeshStatus("127.0.0.1:15010", true,
        List.of(
            new ResourceStatus("type.googleapis.com/envoy.config.listener.v3.Listener", "catalog:8080", "7",
                Instant.parse("2026-01-02T03:04:05Z"), ResourceState.ACKED, null, "127.0.0.1:15010"),
            new ResourceStatus("type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "r\"1", "",
                null, ResourceState.NACKED, "bad\nfield\\path\u0001")),
        List.of("Cluster.foo"));

    assertThat(status.toJson()).isEqualTo("{\"controlPlane\":\"127.0.0.1:15010\",\"connected\":true,\"resources\":["
        + "{\"typeUrl\":\"type.googleapis.com/envoy.config.listener.v3.Listener\",\"name\":\"catalog:8080\","
        + "\"version\":\"7\",\"lastUpdated\":\"2026-01-02T03:04:05Z\",\"state\":\"ACKED\",\"errorDetail\":null,"
        + "\"source\":\"127.0.0.1:15010\"},"
        + "{\"typeUrl\":\"type.googleapis.com/envoy.config.route.v3.RouteConfiguration\",\"name\":\"r\\\"1\","
        + "\"version\":\"\",\"lastUpdated\":null,\"state\":\"NACKED\",\"errorDetail\":\"bad\\nfield\\\\path\\u0001\","
        + "\"source\":null}"
        + "],\"ignoredFields\":[\"Cluster.foo\"]}");
  }

  @Test
  void anEmptyStatusIsValidJson() {
    assertThat(new MeshStatus("cp", false, List.of(), List.of()).toJson())
        .isEqualTo("{\"controlPlane\":\"cp\",\"connected\":false,\"resources\":[],\"ignoredFields\":[]}");
  }
}

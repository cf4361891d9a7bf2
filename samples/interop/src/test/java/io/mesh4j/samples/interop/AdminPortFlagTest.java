package io.mesh4j.samples.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.Mesh;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code --admin_port=N} on the interop client and server starts the mesh's admin endpoint there. */
class AdminPortFlagTest {
  private LoopbackControlPlane controlPlane;

  @BeforeEach
  void start() throws Exception {
    controlPlane = LoopbackControlPlane.start();
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  @Test
  void bothBinariesTakeTheFlagAndTheMeshServesItsAdminEndpointThere() throws Exception {
    for (String binary : new String[] {"client", "server"}) {
      Flags flags = Flags.parse(new String[] {binary, "--admin_port=0"}, 1,
          binary.equals("client") ? InteropClient.FLAGS : InteropServer.FLAGS);
      try (Mesh mesh = AdminPortFlag.apply(flags, Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()))
          .build()) {
        int port = mesh.adminAddress().orElseThrow().getPort();
        HttpResponse<String> status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/status")).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).as(binary).isEqualTo(200);
        assertThat(status.body()).contains("\"controlPlane\":\"" + controlPlane.target() + "\"");
        assertThat(AdminPortFlag.describe(mesh)).contains("http://").contains(":" + port);
      }
    }
  }

  @Test
  void withoutTheFlagTheBuilderIsLeftAsItWas() {
    Flags none = Flags.parse(new String[] {"client"}, 1, InteropClient.FLAGS);
    try (Mesh mesh = AdminPortFlag.apply(none, Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).adminPort(-1))
        .build()) {
      assertThat(mesh.adminAddress()).isEmpty();
    }
  }

  @Test
  void aPortOutOfRangeIsAnErrorNamingTheFlag() {
    Flags bad = Flags.parse(new String[] {"server", "--admin_port=70000"}, 1, InteropServer.FLAGS);
    assertThatThrownBy(() -> AdminPortFlag.apply(bad, Mesh.builder()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--admin_port");
  }
}

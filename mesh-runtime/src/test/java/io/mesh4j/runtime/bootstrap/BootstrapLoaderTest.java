package io.mesh4j.runtime.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.BootstrapSource;
import io.mesh4j.MeshConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapLoaderTest {
  @TempDir Path dir;

  private static String bootstrap(String uri) {
    return "{\"xds_servers\": [{\"server_uri\": \"" + uri + "\", \"channel_creds\": [{\"type\": \"insecure\"}]}]}";
  }

  private Path file(String name, String json) throws Exception {
    return Files.writeString(dir.resolve(name), json);
  }

  @Test
  void environmentOrderIsGrpcFileThenGrpcInlineThenMeshFile() throws Exception {
    Path grpc = file("grpc.json", bootstrap("from-grpc-file:1"));
    Path mesh = file("mesh.json", bootstrap("from-mesh-file:1"));
    String inline = bootstrap("from-inline:1");
    BootstrapSource env = BootstrapSource.environment();

    assertThat(BootstrapLoader.load(env, Map.of("GRPC_XDS_BOOTSTRAP", grpc.toString(),
        "GRPC_XDS_BOOTSTRAP_CONFIG", inline, "MESH_BOOTSTRAP", mesh.toString())).server().serverUri())
        .isEqualTo("from-grpc-file:1");
    assertThat(BootstrapLoader.load(env, Map.of("GRPC_XDS_BOOTSTRAP_CONFIG", inline,
        "MESH_BOOTSTRAP", mesh.toString())).server().serverUri()).isEqualTo("from-inline:1");
    assertThat(BootstrapLoader.load(env, Map.of("MESH_BOOTSTRAP", mesh.toString())).server().serverUri())
        .isEqualTo("from-mesh-file:1");
  }

  @Test
  void explicitSourcesIgnoreTheEnvironment() throws Exception {
    Map<String, String> env = Map.of("GRPC_XDS_BOOTSTRAP_CONFIG", bootstrap("env:1"));
    assertThat(BootstrapLoader.load(BootstrapSource.json(bootstrap("json:1")), env).server().serverUri())
        .isEqualTo("json:1");
    Path f = file("b.json", bootstrap("file:1"));
    assertThat(BootstrapLoader.load(BootstrapSource.file(f), env).server().serverUri()).isEqualTo("file:1");
  }

  @Test
  void missingSourcesAreNamed() {
    assertThatThrownBy(() -> BootstrapLoader.load(BootstrapSource.environment(), Map.of()))
        .isInstanceOf(MeshConfigurationException.class)
        .hasMessage("bootstrap: none of GRPC_XDS_BOOTSTRAP, GRPC_XDS_BOOTSTRAP_CONFIG, MESH_BOOTSTRAP is set");
    Path missing = dir.resolve("nope.json");
    assertThatThrownBy(() -> BootstrapLoader.load(BootstrapSource.environment(),
            Map.of("GRPC_XDS_BOOTSTRAP", missing.toString())))
        .hasMessage("bootstrap: " + missing + " (from GRPC_XDS_BOOTSTRAP): no such file");
    assertThatThrownBy(() -> BootstrapLoader.load(BootstrapSource.file(missing), Map.of()))
        .hasMessage("bootstrap: " + missing + " (from bootstrap file): no such file");
  }

  @Test
  void fileErrorsNameTheFile() throws Exception {
    Path bad = file("bad.json", "{\"xds_servers\": [");
    assertThatThrownBy(() -> BootstrapLoader.load(BootstrapSource.file(bad), Map.of()))
        .hasMessageStartingWith("bootstrap: invalid JSON in " + bad + ": ");
  }
}

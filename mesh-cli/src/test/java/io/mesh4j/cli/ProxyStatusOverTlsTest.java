package io.mesh4j.cli;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * meshctl against a control plane reached as a managed one is: TLS with its own CA and a bearer token. The instance
 * itself talks to a plaintext control plane serving the same snapshot, so the two answers can be compared.
 */
class ProxyStatusOverTlsTest {
  private static final String TARGET = "catalog.mesh:9090";
  private static final List<String> COLUMNS =
      List.of("NAME", "INSTANCE", "CLUSTER", "CDS", "LDS", "EDS", "RDS", "CONTROL PLANE", "VERSION");

  @TempDir
  Path dir;

  private LoopbackControlPlane plaintext;
  private TlsControlPlane managed;
  private NamedGrpcServer backend;
  private MeshInstance instance;

  @BeforeEach
  void start() throws Exception {
    plaintext = LoopbackControlPlane.start();
    managed = new TlsControlPlane(dir, "sesame");
    backend = NamedGrpcServer.start("v1");
    plaintext.setSnapshot("7", List.of(apiListener(TARGET, "catalog-routes")),
        List.of(routeConfig("catalog-routes", TARGET, "catalog")),
        List.of(edsCluster("catalog")), List.of(cla("catalog", backend.hostPort())));
    managed.setSnapshot("7", List.of(apiListener(TARGET, "catalog-routes")),
        List.of(routeConfig("catalog-routes", TARGET, "catalog")),
        List.of(edsCluster("catalog")), List.of(cla("catalog", backend.hostPort())));
    instance = new MeshInstance(plaintext, TARGET);
    assertThat(instance.hello()).isEqualTo("v1");
  }

  @AfterEach
  void stop() throws Exception {
    instance.close();
    managed.close();
    plaintext.close();
    backend.close();
  }

  private String meshctlWithToken(String token) throws Exception {
    Path tokenFile = Files.writeString(dir.resolve("token"), token + "\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = MeshCtl.run(new String[] {"proxy-status", "--control-plane", managed.target(),
        "--control-plane-tls", "--control-plane-ca", managed.caFile().toString(),
        "--control-plane-authority", TlsControlPlane.AUTHORITY, "--token-file", tokenFile.toString(),
        "--instances", instance.csdsAddress()},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void overTlsWithTheTokenTheInstanceIsSynced() throws Exception {
    Map<String, String> row = PrintedTable.parse(meshctlWithToken("sesame"), COLUMNS).get(0);

    assertThat(row).containsEntry("CDS", "SYNCED").containsEntry("LDS", "SYNCED")
        .containsEntry("EDS", "SYNCED").containsEntry("RDS", "SYNCED");
  }

  @Test
  void aRefusedTokenLeavesTheColumnsUnknownWithTheControlPlanesAnswer() throws Exception {
    String printed = meshctlWithToken("guess");

    assertThat(PrintedTable.parse(printed, COLUMNS).get(0)).containsEntry("RDS", "UNKNOWN (7 vs ?)");
    assertThat(printed)
        .contains("control plane " + managed.target() + ": UNAUTHENTICATED: bad or missing bearer token");
  }
}

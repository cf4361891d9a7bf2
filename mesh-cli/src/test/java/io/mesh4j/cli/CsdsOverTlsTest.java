package io.mesh4j.cli;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.TlsServerCredentials;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import io.mesh4j.runtime.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSDS read over TLS and mTLS ({@code --instance-tls}): a real mesh serves CSDS on a loopback gRPC server with a
 * certificate for its service's name from a workload CA, and requires a client certificate from meshctl's own CA.
 */
class CsdsOverTlsTest {
  private static final String TARGET = "catalog.mesh:9090";
  private static final String SERVICE_NAME = "catalog.shop.svc";
  private static final List<String> COLUMNS =
      List.of("NAME", "INSTANCE", "CLUSTER", "CDS", "LDS", "EDS", "RDS", "CONTROL PLANE", "VERSION");

  @TempDir
  Path dir;

  private LoopbackControlPlane controlPlane;
  private NamedGrpcServer backend;
  private MeshInstance instance;
  private Path workloadCa;
  private Path clientChain;
  private Path clientKey;
  private Path strangerChain;
  private Path strangerKey;
  private String mtlsCsds;

  @BeforeEach
  void start() throws Exception {
    controlPlane = LoopbackControlPlane.start();
    backend = NamedGrpcServer.start("v1");
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "catalog-routes")),
        List.of(routeConfig("catalog-routes", TARGET, "catalog")), List.of(edsCluster("catalog")),
        List.of(cla("catalog", backend.hostPort())));
    instance = new MeshInstance(controlPlane, TARGET);
    assertThat(instance.hello()).isEqualTo("v1");

    TestPki.Ca workloads = TestPki.root("workload-ca");
    TestPki.Leaf server = workloads.leaf().dns(SERVICE_NAME).spiffe("spiffe://cluster.local/ns/shop/sa/catalog")
        .issue();
    workloadCa = write("workload-ca.pem", TestPki.pem(workloads.certificate()));
    TestPki.Ca operators = TestPki.root("operator-ca");
    TestPki.Leaf client = operators.leaf().spiffe("spiffe://cluster.local/ns/tools/sa/meshctl").issue();
    clientChain = write("meshctl.pem", client.chainPem());
    clientKey = write("meshctl-key.pem", client.keyPem());
    TestPki.Leaf stranger = TestPki.root("other-ca").leaf().spiffe("spiffe://elsewhere/sa/x").issue();
    strangerChain = write("stranger.pem", stranger.chainPem());
    strangerKey = write("stranger-key.pem", stranger.keyPem());
    mtlsCsds = instance.serveCsds(TlsServerCredentials.newBuilder()
        .keyManager(write("server.pem", server.chainPem()).toFile(), write("server-key.pem", server.keyPem()).toFile())
        .trustManager(write("operator-ca.pem", TestPki.pem(operators.certificate())).toFile())
        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
        .build());
  }

  @AfterEach
  void stop() {
    instance.close();
    controlPlane.close();
    backend.close();
  }

  private Path write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  private MeshCtlRun meshctl(String instances, String... tls) {
    List<String> args = new ArrayList<>(List.of("proxy-status", "--control-plane", controlPlane.target(),
        "--instances", instances));
    args.addAll(List.of(tls));
    return MeshCtlRun.of(args);
  }

  private String[] mtls(Path chain, Path key) {
    return new String[] {"--instance-tls", "--instance-ca", workloadCa.toString(), "--instance-cert",
        chain.toString(), "--instance-key", key.toString(), "--instance-authority", SERVICE_NAME};
  }

  @Test
  void overMtlsTheInstanceIsReadAndSyncedNamedByCsdsOrBare() {
    MeshCtlRun run = meshctl("csds://" + mtlsCsds + "," + mtlsCsds, mtls(clientChain, clientKey));

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<Map<String, String>> rows = PrintedTable.parse(run.out(), COLUMNS);
    assertThat(rows).hasSize(2).allSatisfy(row -> assertThat(row).containsEntry("NAME", "test-node")
        .containsEntry("CDS", "SYNCED").containsEntry("LDS", "SYNCED").containsEntry("EDS", "SYNCED")
        .containsEntry("RDS", "SYNCED"));
    assertThat(rows).extracting(r -> r.get("INSTANCE")).containsExactly("csds://" + mtlsCsds, mtlsCsds);

    List<String> detailArgs = new ArrayList<>(List.of("proxy-status", "csds://" + mtlsCsds, "--control-plane",
        controlPlane.target()));
    detailArgs.addAll(List.of(mtls(clientChain, clientKey)));
    MeshCtlRun detail = MeshCtlRun.of(detailArgs);
    assertThat(detail.exitCode()).as(detail.err()).isZero();
    assertThat(detail.out()).contains("Instance:       csds://" + mtlsCsds + " (read over csds)");
  }

  @Test
  void aClientCertificateTheInstanceDoesNotTrustOrPlaintextIsAnUnreachableRowSayingWhy() {
    MeshCtlRun stranger = meshctl("csds://" + mtlsCsds, mtls(strangerChain, strangerKey));
    MeshCtlRun plaintext = meshctl("csds://" + mtlsCsds);
    MeshCtlRun wrongName = meshctl("csds://" + mtlsCsds, "--instance-tls", "--instance-ca", workloadCa.toString(),
        "--instance-cert", clientChain.toString(), "--instance-key", clientKey.toString());

    for (MeshCtlRun run : List.of(stranger, plaintext, wrongName)) {
      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(PrintedTable.parse(run.out(), COLUMNS)).singleElement()
          .satisfies(row -> assertThat(row).containsEntry("RDS", "UNREACHABLE"));
    }
    assertThat(stranger.out()).contains("csds://" + mtlsCsds + ": CSDS over TLS at " + mtlsCsds + ": UNAVAILABLE");
    assertThat(plaintext.out()).contains("csds://" + mtlsCsds + ": CSDS at " + mtlsCsds + ": UNAVAILABLE");
    // The certificate names the service, not 127.0.0.1: without --instance-authority the name does not match.
    assertThat(wrongName.out()).contains("CSDS over TLS at " + mtlsCsds + ": UNAVAILABLE")
        .contains("No subject alternative names matching IP address 127.0.0.1")
        .contains("(the certificate does not name the address: give --instance-authority NAME)");
  }

  @Test
  void aCaFileWithoutACertificateIsOneLineNamingIt() throws Exception {
    Path notPem = write("not-a-ca.pem", "not a certificate");

    MeshCtlRun run = meshctl("csds://" + mtlsCsds, "--instance-tls", "--instance-ca", notPem.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).startsWith("meshctl: cannot set up TLS to the instances' CSDS ports with the roots in "
        + notPem).doesNotContain("\tat ").hasLineCount(1);
  }
}

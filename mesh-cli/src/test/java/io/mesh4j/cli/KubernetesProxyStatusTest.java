package io.mesh4j.cli;

import static io.mesh4j.cli.FakeKubernetesApi.pod;
import static io.mesh4j.cli.FakeKubernetesApi.podList;
import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.testing.FreePorts;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshctl proxy-status --kubernetes}: the pods come from a Kubernetes API stand-in over HTTPS, and the IPs it
 * lists are where two real meshes serve their admin endpoint, each on its own loopback address and the fleet's port
 * as pods are; the rows are named {@code pod.namespace}.
 */
class KubernetesProxyStatusTest {
  private static final String TARGET = "catalog.mesh:9090";
  private static final List<String> COLUMNS =
      List.of("NAME", "INSTANCE", "CLUSTER", "CDS", "LDS", "EDS", "RDS", "CONTROL PLANE", "VERSION");

  @TempDir
  Path dir;

  private LoopbackControlPlane controlPlane;
  private NamedGrpcServer backend;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    backend = NamedGrpcServer.start("v1");
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "catalog-routes")),
        List.of(routeConfig("catalog-routes", TARGET, "catalog")), List.of(edsCluster("catalog")),
        List.of(cla("catalog", backend.hostPort())));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    controlPlane.close();
    backend.close();
  }

  private <T extends AutoCloseable> T closeLater(T closeable) {
    closing.add(0, closeable);
    return closeable;
  }

  private List<String> args(FakeKubernetesApi api, String... more) {
    List<String> args = new ArrayList<>(List.of("proxy-status", "--control-plane", controlPlane.target(),
        "--kubernetes", "--kube-api", api.url()));
    args.addAll(List.of(more));
    return args;
  }

  @Test
  void runningPodsWithAnIpAreReadOnTheAdminPortAndNamedPodDotNamespace() throws Exception {
    int adminPort = FreePorts.next();
    MeshInstance a = closeLater(new MeshInstance(controlPlane, TARGET, "127.0.0.1", adminPort));
    MeshInstance b = closeLater(new MeshInstance(controlPlane, TARGET, "127.0.0.2", adminPort));
    assertThat(a.hello()).isEqualTo("v1");
    assertThat(b.hello()).isEqualTo("v1");
    FakeKubernetesApi api = closeLater(FakeKubernetesApi.https(dir));
    api.answer(200, podList(
        pod("catalog-7d9f-b", "shop", "Running", "127.0.0.2"),
        pod("catalog-7d9f-a", "shop", "Running", "127.0.0.1"),
        pod("catalog-7d9f-new", "shop", "Pending", null),
        pod("catalog-7d9f-done", "shop", "Succeeded", "127.0.0.3"),
        pod("catalog-7d9f-starting", "shop", "Running", null)));
    Path token = Files.writeString(dir.resolve("token"), "sesame\n");

    MeshCtlRun run = MeshCtlRun.of(args(api, "--namespace", "shop", "--selector", "app=catalog,tier in (web, api)",
        "--admin-port", Integer.toString(adminPort), "--kube-ca", api.caFile().toString(),
        "--kube-token-file", token.toString()));

    assertThat(run.exitCode()).as(run.err()).isZero();
    RecordedRequest request = api.request();
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(request.getTarget())
        .isEqualTo("/api/v1/namespaces/shop/pods?labelSelector=app%3Dcatalog%2Ctier%20in%20%28web%2C%20api%29");
    assertThat(request.getUrl().queryParameter("labelSelector")).isEqualTo("app=catalog,tier in (web, api)");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer sesame");
    assertThat(request.getHandshake()).as("over TLS").isNotNull();
    List<Map<String, String>> rows = PrintedTable.parse(run.out(), COLUMNS);
    assertThat(rows).extracting(r -> r.get("NAME")).containsExactly("catalog-7d9f-a.shop", "catalog-7d9f-b.shop");
    assertThat(rows).extracting(r -> r.get("INSTANCE"))
        .containsExactly("127.0.0.1:" + adminPort, "127.0.0.2:" + adminPort);
    assertThat(rows).allSatisfy(row -> assertThat(row).containsEntry("CDS", "SYNCED")
        .containsEntry("LDS", "SYNCED").containsEntry("EDS", "SYNCED").containsEntry("RDS", "SYNCED"));
    assertThat(rows.get(0)).containsEntry("CONTROL PLANE", a.relayAddress());
    assertThat(rows.get(1)).containsEntry("CONTROL PLANE", b.relayAddress());
  }

  @Test
  void aPodThatIsNoMeshInstanceIsAnUnreachableRowUnderItsName() throws Exception {
    FakeKubernetesApi api = closeLater(FakeKubernetesApi.https(dir));
    api.answer(200, podList(pod("legacy-1", "shop", "Running", "127.0.0.1")));
    int nothingThere = FreePorts.next();

    MeshCtlRun run = MeshCtlRun.of(args(api, "--namespace", "shop", "--admin-port", Integer.toString(nothingThere),
        "--kube-ca", api.caFile().toString(), "--kube-token", "sesame"));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(api.request().getTarget()).isEqualTo("/api/v1/namespaces/shop/pods");
    assertThat(PrintedTable.parse(run.out(), COLUMNS)).singleElement().satisfies(row -> assertThat(row)
        .containsEntry("NAME", "legacy-1.shop").containsEntry("INSTANCE", "127.0.0.1:" + nothingThere)
        .containsEntry("RDS", "UNREACHABLE"));
    assertThat(run.out()).contains("legacy-1.shop (127.0.0.1:" + nothingThere + "): ");
  }

  @Test
  void throughKubectlProxyNoTokenIsSentAndAnEmptySelectionSaysSo() throws Exception {
    FakeKubernetesApi api = closeLater(FakeKubernetesApi.plain());
    api.answer(200, podList(pod("catalog-1", "shop", "Pending", null)));

    MeshCtlRun run = MeshCtlRun.of(args(api, "-n", "shop", "-l", "app=catalog"));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(api.request().getHeaders().get("Authorization")).isNull();
    assertThat(run.out()).isEqualTo("No running pod with an IP matches app=catalog in namespace shop.\n");
  }

  @Test
  void aRefusedTokenIsOneLineSayingSo() throws Exception {
    FakeKubernetesApi api = closeLater(FakeKubernetesApi.https(dir));
    api.answer(401, FakeKubernetesApi.status(401, "Unauthorized", "Unauthorized"));

    MeshCtlRun run = MeshCtlRun.of(args(api, "-n", "shop", "--kube-ca", api.caFile().toString(),
        "--kube-token", "stale"));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("meshctl: cannot list the pods: the Kubernetes API at " + api.url()
        + " refused the token (401 Unauthorized: Unauthorized): is it expired or for another cluster?\n");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void aForbiddenListingNamesTheNamespaceAndWhatTheAccountNeeds() throws Exception {
    FakeKubernetesApi api = closeLater(FakeKubernetesApi.https(dir));
    api.answer(403, FakeKubernetesApi.status(403, "Forbidden", "pods is forbidden: User "
        + "\"system:serviceaccount:tools:meshctl\" cannot list resource \"pods\" in API group \"\" in the namespace "
        + "\"shop\""));

    MeshCtlRun run = MeshCtlRun.of(args(api, "-n", "shop", "--kube-ca", api.caFile().toString(), "--kube-token", "t"));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).startsWith("meshctl: cannot list the pods: the Kubernetes API at " + api.url()
            + " does not let this account list pods in namespace shop (403 Forbidden: pods is forbidden: User "
            + "\"system:serviceaccount:tools:meshctl\" cannot list")
        .endsWith("): it needs 'list' on 'pods' there (a Role and RoleBinding)\n");
  }

  @Test
  void anUnreachableApiOrAnUntrustedCertificateIsOneLine() throws Exception {
    int closed = FreePorts.next();
    MeshCtlRun unreachable = MeshCtlRun.of(List.of("proxy-status", "--control-plane", controlPlane.target(),
        "--kubernetes",
        "--kube-api", "https://127.0.0.1:" + closed, "--kube-token", "t"));

    assertThat(unreachable.exitCode()).isEqualTo(1);
    assertThat(unreachable.err()).startsWith("meshctl: cannot list the pods: cannot reach the Kubernetes API at "
        + "https://127.0.0.1:" + closed + ": ").doesNotContain("\tat ").hasLineCount(1);

    FakeKubernetesApi api = closeLater(FakeKubernetesApi.https(dir));
    MeshCtlRun untrusted = MeshCtlRun.of(args(api, "--kube-token", "t"));

    assertThat(untrusted.exitCode()).isEqualTo(1);
    assertThat(untrusted.err()).startsWith("meshctl: cannot list the pods: TLS with the Kubernetes API at "
        + api.url() + " failed: ").endsWith(" (give --kube-ca with the cluster's CA)\n").hasLineCount(1);
    assertThat(api.requestCount()).isZero();
  }
}

package io.mesh4j.cli;

import static io.mesh4j.cli.FakeKubernetesApi.pod;
import static io.mesh4j.cli.FakeKubernetesApi.podList;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.cli.kubernetes.KubernetesApi;
import io.mesh4j.cli.kubernetes.KubernetesException;
import io.mesh4j.cli.kubernetes.KubernetesPods;
import io.mesh4j.cli.kubernetes.Pod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inside a pod, meshctl asks the API as its service account: the address from {@code KUBERNETES_SERVICE_HOST} and
 * {@code _PORT}, the token (re-read for every listing, as Kubernetes rotates it) and CA from the mounted account.
 */
class InClusterKubernetesTest {
  @TempDir
  Path dir;

  @Test
  void theServiceAccountsAddressTokenCaAndNamespaceAreUsed() throws Exception {
    try (FakeKubernetesApi api = FakeKubernetesApi.https(dir)) {
      Path account = Files.createDirectories(dir.resolve("serviceaccount"));
      Files.copy(api.caFile(), account.resolve("ca.crt"));
      Files.writeString(account.resolve("token"), "first\n");
      Files.writeString(account.resolve("namespace"), "shop");
      KubernetesApi inCluster = KubernetesApi.inCluster(
          Map.of("KUBERNETES_SERVICE_HOST", "localhost", "KUBERNETES_SERVICE_PORT", Integer.toString(api.port())),
          account);
      KubernetesPods pods = new KubernetesPods(inCluster, Duration.ofSeconds(10));
      api.answer(200, podList(pod("catalog-1", "shop", "Running", "10.0.0.7")));
      api.answer(200, podList());

      assertThat(KubernetesApi.podNamespace(account)).isEqualTo("shop");
      assertThat(pods.running("shop", "app=catalog")).containsExactly(new Pod("catalog-1", "shop", "10.0.0.7"));
      assertThat(api.request().getHeaders().get("Authorization")).isEqualTo("Bearer first");

      Files.writeString(account.resolve("token"), "rotated\n");
      assertThat(pods.running("shop", "app=catalog")).isEmpty();
      assertThat(api.request().getHeaders().get("Authorization")).isEqualTo("Bearer rotated");
    }
  }

  @Test
  void outsideAPodTheMessageSaysWhatToGiveInstead() {
    assertThatThrownBy(() -> KubernetesApi.inCluster(Map.of(), dir))
        .isInstanceOf(KubernetesException.class)
        .hasMessageContaining("not in a pod").hasMessageContaining("--kube-api");
    assertThat(KubernetesApi.podNamespace(dir)).isNull();
  }

  @Test
  void anIpv6PodIsAddressedInBrackets() {
    assertThat(new Pod("p", "ns", "fd00::7").address(15000)).isEqualTo("[fd00::7]:15000");
    assertThat(new Pod("p", "ns", "fd00::7").instanceName()).isEqualTo("p.ns");
  }
}

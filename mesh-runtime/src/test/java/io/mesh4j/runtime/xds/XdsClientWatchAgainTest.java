package io.mesh4j.runtime.xds;

import static io.mesh4j.runtime.testing.XdsResources.CDS;
import static io.mesh4j.runtime.testing.XdsResources.EDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mesh4j.runtime.cluster.ClusterType;
import io.mesh4j.runtime.cluster.EndpointType;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.XdsResources;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A resource watched after its type's last watch was cancelled, over state of the world: the request naming
 * nothing reads as a wildcard to java-control-plane, which answers with every resource of the type and then takes
 * them as held by the client, so it does not answer the request naming the resource again. The client keeps what
 * that answer carried, and the new watch gets it at once rather than "does not exist" after the fetch timeout.
 */
class XdsClientWatchAgainTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final LoopbackXdsClient loopback =
      LoopbackXdsClient.start(builder -> builder.initialFetchTimeout(Duration.ofSeconds(2)));
  private final LoopbackControlPlane cp = loopback.controlPlane;
  private final XdsClient client = loopback.client;

  @AfterEach
  void tearDown() {
    loopback.close();
  }

  private void serve(String version) {
    cp.setSnapshot(version, List.of(), List.of(), List.of(XdsResources.edsCluster("a"), XdsResources.edsCluster("b")),
        List.of(XdsResources.cla("a", "10.0.0.1:80"), XdsResources.cla("b", "10.0.0.2:80")));
  }

  @Test
  void aClusterAndItsEndpointsWatchedAgainAreHadAtOnce() {
    serve("1");
    RecordingWatcher<ClusterResource> cluster = new RecordingWatcher<>();
    RecordingWatcher<EndpointResource> endpoints = new RecordingWatcher<>();
    client.watch(ClusterType.INSTANCE, "a", cluster);
    client.watch(EndpointType.INSTANCE, "a", endpoints);
    await().atMost(WAIT).until(() -> cluster.last() != null && endpoints.last() != null);

    // The last watch of each type goes: the client asks for nothing, which java-control-plane answers with all at
    // its next version.
    client.cancelWatch(ClusterType.INSTANCE, "a", cluster);
    client.cancelWatch(EndpointType.INSTANCE, "a", endpoints);
    await().atMost(WAIT).until(() -> cp.lastRequest(CDS).getResourceNamesCount() == 0
        && cp.lastRequest(EDS).getResourceNamesCount() == 0);
    serve("2");
    await().atMost(WAIT).until(() -> cp.responses(CDS).stream().anyMatch(r -> r.getResourcesCount() == 2)
        && cp.responses(EDS).stream().anyMatch(r -> r.getResourcesCount() == 2));
    int cdsResponses = cp.responses(CDS).size();
    int edsResponses = cp.responses(EDS).size();
    // ... and the client has acknowledged both, so the control plane now takes them as held.
    await().atMost(WAIT).until(() -> acked(CDS, cdsResponses) && acked(EDS, edsResponses));

    RecordingWatcher<ClusterResource> clusterAgain = new RecordingWatcher<>();
    RecordingWatcher<EndpointResource> endpointsAgain = new RecordingWatcher<>();
    client.watch(ClusterType.INSTANCE, "b", clusterAgain);
    client.watch(EndpointType.INSTANCE, "b", endpointsAgain);

    await().atMost(WAIT).until(() -> !clusterAgain.events.isEmpty() && !endpointsAgain.events.isEmpty());
    assertThat(clusterAgain.events).as("the cluster watched again").startsWith("changed");
    assertThat(clusterAgain.last().name()).isEqualTo("b");
    assertThat(endpointsAgain.events).as("its endpoints watched again").startsWith("changed");
    assertThat(endpointsAgain.last().localities().get(0).endpoints().get(0).hostPort()).isEqualTo("10.0.0.2:80");
    assertThat(cp.responses(CDS)).as("nothing more was sent: it came from the last answer").hasSize(cdsResponses);
    assertThat(cp.responses(EDS)).hasSize(edsResponses);
  }

  /** Whether the {@code count}th response of {@code typeUrl} has been acknowledged. */
  private boolean acked(String typeUrl, int count) {
    String nonce = cp.responses(typeUrl).get(count - 1).getNonce();
    return cp.requests(typeUrl).stream().anyMatch(r -> r.getResponseNonce().equals(nonce) && !r.hasErrorDetail());
  }
}

package io.mesh4j.runtime.xds;

import static io.mesh4j.runtime.testing.XdsResources.EDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.cluster.EndpointType;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.XdsResources;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A state-of-the-world response resends every resource of its type when one changes: the client decodes only the
 * resources whose bytes changed, and moves the others' version and state on as if it had.
 */
class XdsClientResendTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final LoopbackXdsClient loopback =
      LoopbackXdsClient.start(builder -> builder.backoffPolicy(() -> () -> Duration.ofMillis(100).toNanos()));
  private final LoopbackControlPlane cp = loopback.controlPlane;
  private final XdsClient client = loopback.client;
  private final CountingEndpointType counting = new CountingEndpointType();

  @AfterEach
  void tearDown() {
    loopback.close();
  }

  @Test
  void aResponseWithOneChangedAssignmentDecodesOnlyThatOne() {
    ClusterLoadAssignment a = XdsResources.cla("a", "10.0.0.1:80");
    ClusterLoadAssignment c = XdsResources.cla("c", "10.0.0.3:80");
    cp.setSnapshot("1", List.of(), List.of(), List.of(), List.of(a, XdsResources.cla("b", "10.0.0.2:80"), c));
    RecordingWatcher<EndpointResource> watchA = new RecordingWatcher<>();
    RecordingWatcher<EndpointResource> watchB = new RecordingWatcher<>();
    RecordingWatcher<EndpointResource> watchC = new RecordingWatcher<>();
    client.watch(counting, "a", watchA);
    client.watch(counting, "b", watchB);
    client.watch(counting, "c", watchC);
    await().atMost(WAIT).until(() -> List.of("a", "b", "c").stream().allMatch(n -> "1".equals(status(n).version())));
    assertThat(counting.decodes).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1, "b", 1, "c", 1));
    Message dumpedA = dumped("a");

    cp.setSnapshot("2", List.of(), List.of(), List.of(),
        List.of(a, XdsResources.cla("b", "10.0.0.2:80", "10.0.0.4:80"), c));

    await().atMost(WAIT).until(() -> List.of("a", "b", "c").stream().allMatch(n -> "2".equals(status(n).version())));
    assertThat(counting.decodes).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1, "b", 2, "c", 1));
    assertThat(watchB.values).hasSize(2);
    assertThat(watchB.last().localities().get(0).endpoints()).hasSize(2);
    assertThat(watchA.values).hasSize(1);
    assertThat(watchC.values).hasSize(1);
    for (String name : List.of("a", "b", "c")) {
      assertThat(status(name).state()).isEqualTo(ResourceState.ACKED);
    }
    // The status view is what it would be after decoding it again: the same proto, the new version.
    assertThat(dumped("a")).isSameAs(dumpedA);
    await().atMost(WAIT).until(() -> "2".equals(cp.lastRequest(EDS).getVersionInfo()));
    assertThat(cp.lastRequest(EDS).hasErrorDetail()).isFalse();
  }

  @Test
  void theLastGoodBytesResentAfterARejectionAreAcceptedAgainWithoutDecoding() {
    ClusterLoadAssignment good = XdsResources.cla("a", "10.0.0.1:80");
    cp.setSnapshot("1", List.of(), List.of(), List.of(), List.of(good));
    RecordingWatcher<EndpointResource> watcher = new RecordingWatcher<>();
    client.watch(counting, "a", watcher);
    await().atMost(WAIT).until(() -> "1".equals(status("a").version()));

    ClusterLoadAssignment bad = good.toBuilder().setEndpoints(0, good.getEndpoints(0).toBuilder()
        .setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(0))).build();
    cp.setSnapshot("2", List.of(), List.of(), List.of(), List.of(bad));
    await().atMost(WAIT).until(() -> status("a").state() == ResourceState.NACKED);
    assertThat(counting.decodes).containsEntry("a", 2);

    cp.setSnapshot("3", List.of(), List.of(), List.of(), List.of(good));
    await().atMost(WAIT).until(() -> "3".equals(status("a").version()));
    assertThat(status("a").state()).isEqualTo(ResourceState.ACKED);
    assertThat(status("a").errorDetail()).isNull();
    assertThat(counting.decodes).containsEntry("a", 2);
    assertThat(watcher.values).hasSize(1);
  }

  private ResourceStatus status(String name) {
    return client.status().stream().filter(s -> s.typeUrl().equals(EDS) && s.name().equals(name)).findFirst()
        .orElseThrow();
  }

  private Message dumped(String name) {
    return client.dump().stream().filter(d -> d.status().name().equals(name)).findFirst().orElseThrow().resource();
  }

  /** EDS, counting the decodes of each resource by name. */
  private static final class CountingEndpointType extends XdsResourceType<EndpointResource> {
    final Map<String, Integer> decodes = new ConcurrentHashMap<>();

    @Override
    public String typeUrl() {
      return EndpointType.INSTANCE.typeUrl();
    }

    @Override
    public String shortName() {
      return EndpointType.INSTANCE.shortName();
    }

    @Override
    public Class<? extends Message> messageClass() {
      return EndpointType.INSTANCE.messageClass();
    }

    @Override
    protected int nameFieldNumber() {
      return ClusterLoadAssignment.CLUSTER_NAME_FIELD_NUMBER;
    }

    @Override
    public boolean isFullStateOfTheWorld() {
      return EndpointType.INSTANCE.isFullStateOfTheWorld();
    }

    @Override
    public String name(Message message) {
      return EndpointType.INSTANCE.name(message);
    }

    @Override
    public EndpointResource decode(Message message, DecodeContext context) throws ResourceInvalidException {
      decodes.merge(name(message), 1, Integer::sum);
      return EndpointType.INSTANCE.decode(message, context);
    }
  }
}

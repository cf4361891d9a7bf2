package io.mesh4j.cli.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.mesh4j.cli.current.CurrentResource;
import io.mesh4j.cli.instance.InstanceResource;
import io.mesh4j.cli.instance.InstanceResource.ClientState;
import io.mesh4j.cli.instance.InstanceStatus;
import io.mesh4j.cli.xds.XdsType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verdict for each pairing of what an instance reports with what the control plane serves now. */
class ResourceSyncTest {
  private static final String RDS = XdsType.RDS.typeUrl();

  private static InstanceResource theirs(String version, ClientState state) {
    return new InstanceResource(RDS, "routes", version, state, state == ClientState.NACKED ? "bad regex" : null,
        null, null, null);
  }

  private static CurrentResource current(String version) {
    return new CurrentResource(version, null);
  }

  @Test
  void theSameVersionIsSyncedAnotherIsStaleWithBoth() {
    assertThat(ResourceSync.of(theirs("3", ClientState.ACKED), current("3")).text()).isEqualTo("SYNCED");
    assertThat(ResourceSync.of(theirs("3", ClientState.ACKED), current("4")).text()).isEqualTo("STALE (3 vs 4)");
  }

  @Test
  void theSameResourceUnderAnotherVersionIsSyncedAndAnotherResourceIsStale() {
    Any routes = Any.pack(RouteConfiguration.newBuilder().setName("routes").build());
    Any changed = Any.pack(RouteConfiguration.newBuilder().setName("routes").setValidateClusters(BoolValue.of(true))
        .build());
    InstanceResource held = new InstanceResource(RDS, "routes", "3", ClientState.ACKED, null, null, null, routes);

    assertThat(ResourceSync.of(held, new CurrentResource("4", routes)).text()).isEqualTo("SYNCED");
    assertThat(ResourceSync.of(held, new CurrentResource("4", changed)).text()).isEqualTo("STALE (3 vs 4)");
  }

  @Test
  void aNackWinsOverVersionsAndCarriesTheError() {
    ResourceSync sync = ResourceSync.of(theirs("3", ClientState.NACKED), current("4"));
    assertThat(sync.state()).isEqualTo(SyncState.NACKED);
    assertThat(sync.text()).isEqualTo("NACKED (bad regex)");
  }

  @Test
  void requestedButNeverSentIsNotSentUnlessTheControlPlaneHasItNow() {
    assertThat(ResourceSync.of(theirs("", ClientState.REQUESTED), null).text()).isEqualTo("NOT SENT");
    assertThat(ResourceSync.of(theirs("", ClientState.REQUESTED), CurrentResource.ABSENT).text())
        .isEqualTo("NOT SENT");
    assertThat(ResourceSync.of(theirs("", ClientState.REQUESTED), current("4")).text()).isEqualTo("STALE (- vs 4)");
  }

  @Test
  void doesNotExistAgreesWithAnAbsentResourceAndIsStaleAgainstOneThatExists() {
    assertThat(ResourceSync.of(theirs("", ClientState.DOES_NOT_EXIST), CurrentResource.ABSENT).text())
        .isEqualTo("SYNCED");
    assertThat(ResourceSync.of(theirs("", ClientState.DOES_NOT_EXIST), current("4")).text())
        .isEqualTo("STALE (absent vs 4)");
    assertThat(ResourceSync.of(theirs("3", ClientState.ACKED), CurrentResource.ABSENT).text())
        .isEqualTo("STALE (3 vs absent)");
  }

  @Test
  void withoutAnAnswerFromTheControlPlaneAnAcceptedResourceIsUnknown() {
    ResourceSync sync = ResourceSync.of(theirs("3", ClientState.ACKED), null);
    assertThat(sync.state()).isEqualTo(SyncState.UNKNOWN);
    assertThat(sync.text()).isEqualTo("UNKNOWN (3 vs ?)");
  }

  @Test
  void aColumnShowsItsWorstResourceAndATypeWithoutResourcesIsNotSent() {
    InstanceResource good = new InstanceResource(RDS, "a", "4", ClientState.ACKED, null, null, null, null);
    InstanceResource behind = new InstanceResource(RDS, "b", "3", ClientState.ACKED, null, null, null, null);
    InstanceStatus status = new InstanceStatus("127.0.0.1:1", Node.getDefaultInstance(), null,
        List.of(good, behind), null, "csds");
    InstanceReport report = new InstanceReport("127.0.0.1:1", status, null, null,
        List.of(ResourceSync.of(good, current("4")), ResourceSync.of(behind, current("4"))));

    assertThat(report.columns().get(XdsType.RDS)).isEqualTo("STALE (3 vs 4)");
    assertThat(report.columns().get(XdsType.CDS)).isEqualTo("NOT SENT");
  }
}

package io.mesh4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncStateTest {
  private static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

  private static InstanceState.Resource held(String version, String state, String error) {
    return new InstanceState.Resource(RDS, "routes", version, state, error);
  }

  private static Map<String, ResourceStatus> current(String version) {
    return Map.of(ControlPlaneView.key(RDS, "routes"),
        new ResourceStatus(RDS, "routes", version, Instant.EPOCH, ResourceState.ACKED, null));
  }

  @Test
  void wordsEachStateAsIstioctlDoes() {
    assertThat(SyncState.of(List.of(held("4", "ACKED", null)), current("4"))).isEqualTo("SYNCED");
    assertThat(SyncState.of(List.of(held("3", "ACKED", null)), current("4"))).isEqualTo("STALE (3 vs 4)");
    assertThat(SyncState.of(List.of(), current("4"))).isEqualTo("NOT SENT");
    assertThat(SyncState.of(List.of(held("", "REQUESTED", null)), current("4"))).isEqualTo("NOT SENT");
    assertThat(SyncState.of(List.of(held("3", "NACKED", "routes: bad regex")), current("4")))
        .isEqualTo("NACKED (routes: bad regex)");
    assertThat(SyncState.of(List.of(held("3", "ACKED", null)), Map.of())).isEqualTo("STALE (3 vs ?)");
  }
}

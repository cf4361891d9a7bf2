package io.mesh4j.cli;

import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import java.util.List;
import java.util.Map;

/**
 * One column of {@code proxy-status} (one resource type of one instance), as {@code istioctl proxy-status} words it:
 * {@code SYNCED}, {@code NOT SENT}, {@code STALE (<their version> vs <current>)} or {@code NACKED (<error>)}.
 */
final class SyncState {
  private SyncState() {}

  /**
   * @param held the instance's resources of one type
   * @param current the control plane's status for the same node, by {@link ControlPlaneView#key}
   */
  static String of(List<InstanceState.Resource> held, Map<String, ResourceStatus> current) {
    if (held.isEmpty()) {
      return "NOT SENT";
    }
    for (InstanceState.Resource resource : held) {
      if (ResourceState.NACKED.name().equals(resource.state())) {
        return "NACKED (" + resource.errorDetail() + ")";
      }
    }
    boolean sent = false;
    for (InstanceState.Resource resource : held) {
      if (ResourceState.REQUESTED.name().equals(resource.state())) {
        continue;
      }
      sent = true;
      ResourceStatus now = current.get(ControlPlaneView.key(resource.typeUrl(), resource.name()));
      String currentVersion = now == null || now.state() == ResourceState.REQUESTED ? "?" : now.version();
      if (now == null || !currentVersion.equals(resource.version())) {
        return "STALE (" + blankAsDash(resource.version()) + " vs " + blankAsDash(currentVersion) + ")";
      }
    }
    return sent ? "SYNCED" : "NOT SENT";
  }

  private static String blankAsDash(String version) {
    return version == null || version.isEmpty() ? "-" : version;
  }
}

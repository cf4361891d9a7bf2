package io.mesh4j.cli.sync;

import com.google.protobuf.Value;
import io.mesh4j.cli.current.CurrentConfig;
import io.mesh4j.cli.instance.InstanceStatus;
import io.mesh4j.cli.xds.XdsType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One instance's proxy-status: either its resources against the control plane, or why it could not be read.
 *
 * @param address the {@code host:port} asked
 * @param givenName the name the instance was found under (a pod's {@code pod.namespace}), else {@code null}
 * @param status what the instance reported, or {@code null} when it could not be read
 * @param readError why it could not be read, else {@code null}
 * @param current what the control plane serves its node now, or {@code null} when the instance could not be read
 * @param resources every resource of the instance with its verdict
 */
public record InstanceReport(String address, String givenName, InstanceStatus status, String readError,
    CurrentConfig current, List<ResourceSync> resources) {
  public InstanceReport {
    resources = List.copyOf(resources);
  }

  public InstanceReport(
      String address, InstanceStatus status, String readError, CurrentConfig current, List<ResourceSync> resources) {
    this(address, null, status, readError, current, resources);
  }

  /** This report under the name the instance was found by (a pod's {@code pod.namespace}). */
  public InstanceReport named(String name) {
    return new InstanceReport(address, name, status, readError, current, resources);
  }

  public static InstanceReport unreachable(String address, String error) {
    return new InstanceReport(address, null, error, null, List.of());
  }

  public boolean reachable() {
    return status != null;
  }

  /** The name it was found under, else the node id, as istioctl names a proxy; the address when unknown. */
  public String name() {
    if (givenName != null) {
      return givenName;
    }
    return status == null || status.node().getId().isEmpty() ? address : status.node().getId();
  }

  /** The node's {@code CLUSTER_ID} metadata (Istio's cluster), else the node's cluster, else {@code -}. */
  public String cluster() {
    if (status == null) {
      return "-";
    }
    Value clusterId = status.node().getMetadata().getFieldsMap().get("CLUSTER_ID");
    if (clusterId != null && clusterId.hasStringValue() && !clusterId.getStringValue().isEmpty()) {
      return clusterId.getStringValue();
    }
    return status.node().getCluster().isEmpty() ? "-" : status.node().getCluster();
  }

  /** {@code user_agent_name/user_agent_version} of the node ({@code mesh4j/0.1.0}), or {@code -}. */
  public String libraryVersion() {
    if (status == null || status.node().getUserAgentName().isEmpty()) {
      return "-";
    }
    String version = status.node().getUserAgentVersion();
    return status.node().getUserAgentName() + (version.isEmpty() ? "" : "/" + version);
  }

  /** The control plane the instance reports talking to, or {@code null} when its reader cannot tell. */
  public String controlPlane() {
    return status == null ? null : status.controlPlane();
  }

  /** The column of one type: the verdict of its worst resource, or NOT SENT when the instance has none. */
  public Optional<ResourceSync> column(XdsType type) {
    return resources.stream()
        .filter(r -> r.resource().typeUrl().equals(type.typeUrl()))
        .max(Comparator.comparing(ResourceSync::state));
  }

  /** Every column's text (ECDS only when the instance has ECDS resources); an unreachable instance has none. */
  public Map<XdsType, String> columns() {
    Map<XdsType, String> columns = new EnumMap<>(XdsType.class);
    if (status == null) {
      return columns;
    }
    for (XdsType type : XdsType.values()) {
      if (type == XdsType.ECDS && !has(type)) {
        continue;
      }
      columns.put(type, column(type).map(ResourceSync::text).orElse(SyncState.NOT_SENT.label()));
    }
    return columns;
  }

  /** Whether the instance has resources of {@code type} (ECDS is shown only when some instance does). */
  public boolean has(XdsType type) {
    return resources.stream().anyMatch(r -> r.resource().typeUrl().equals(type.typeUrl()));
  }

  /** The resources of the instance in a stable order: by column, then by name. */
  public static List<ResourceSync> ordered(List<ResourceSync> resources) {
    List<ResourceSync> sorted = new ArrayList<>(resources);
    sorted.sort(Comparator.comparing((ResourceSync r) -> XdsType.of(r.resource().typeUrl())
            .map(Enum::ordinal).orElse(XdsType.values().length))
        .thenComparing(r -> r.resource().typeUrl())
        .thenComparing(r -> r.resource().name()));
    return sorted;
  }
}

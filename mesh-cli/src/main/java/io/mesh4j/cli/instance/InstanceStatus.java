package io.mesh4j.cli.instance;

import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.List;

/**
 * One workload instance's xDS client, as read from it.
 *
 * @param address the {@code host:port} it was read from
 * @param node the node it identifies as to the control plane
 * @param controlPlane the control plane it talks to, or {@code null} when the reader cannot tell (CSDS does not say)
 * @param resources every resource it subscribed to
 * @param ignoredFields fields it accepted without acting on them, or {@code null} when the reader cannot tell
 * @param readVia how it was read, e.g. {@code csds}
 */
public record InstanceStatus(
    String address,
    Node node,
    String controlPlane,
    List<InstanceResource> resources,
    List<String> ignoredFields,
    String readVia) {
  public InstanceStatus {
    resources = List.copyOf(resources);
    ignoredFields = ignoredFields == null ? null : List.copyOf(ignoredFields);
  }
}

package io.mesh4j.runtime.metrics;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.Objects;

/**
 * One side of a request as Istio's metrics name it: {@code *_workload}, {@code *_workload_namespace},
 * {@code *_principal}, {@code *_app}, {@code *_version}, {@code *_cluster}; {@code unknown} for what is not known,
 * as Istio writes it.
 */
public record WorkloadLabels(
    String workload, String namespace, String principal, String app, String version, String cluster) {
  public static final String UNKNOWN = "unknown";
  public static final WorkloadLabels ALL_UNKNOWN = new WorkloadLabels(UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN,
      UNKNOWN);

  public WorkloadLabels {
    workload = orUnknown(workload);
    namespace = orUnknown(namespace);
    principal = orUnknown(principal);
    app = orUnknown(app);
    version = orUnknown(version);
    cluster = orUnknown(cluster);
  }

  public WorkloadLabels withPrincipal(String principal) {
    String p = orUnknown(principal);
    return p.equals(this.principal) ? this : new WorkloadLabels(workload, namespace, p, app, version, cluster);
  }

  /**
   * This workload, from the node metadata Istio's agent writes into the bootstrap: {@code WORKLOAD_NAME},
   * {@code NAMESPACE}, {@code CLUSTER_ID}, and {@code LABELS} ({@code app}/{@code version}, else
   * {@code app.kubernetes.io/name}/{@code version}, else the canonical service name/revision).
   */
  public static WorkloadLabels fromNodeMetadata(Struct metadata) {
    Objects.requireNonNull(metadata, "metadata");
    Struct labels = metadata.getFieldsOrDefault("LABELS", Value.getDefaultInstance()).getStructValue();
    return new WorkloadLabels(
        string(metadata, "WORKLOAD_NAME"),
        string(metadata, "NAMESPACE"),
        null,
        firstOf(labels, "app", "app.kubernetes.io/name", "service.istio.io/canonical-name"),
        firstOf(labels, "version", "app.kubernetes.io/version", "service.istio.io/canonical-revision"),
        string(metadata, "CLUSTER_ID"));
  }

  /**
   * A peer from the {@code istio} endpoint metadata Istio puts on each EDS endpoint: {@code workload} is
   * {@code name;namespace;canonical service;canonical revision;cluster}. Null or malformed: all unknown.
   */
  public static WorkloadLabels fromEndpointWorkload(String workload) {
    if (workload == null || workload.isEmpty()) {
      return ALL_UNKNOWN;
    }
    String[] parts = workload.split(";", -1);
    return new WorkloadLabels(part(parts, 0), part(parts, 1), null, part(parts, 2), part(parts, 3), part(parts, 4));
  }

  private static String part(String[] parts, int i) {
    return i < parts.length ? parts[i] : null;
  }

  private static String firstOf(Struct labels, String... keys) {
    for (String key : keys) {
      String value = string(labels, key);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  private static String string(Struct struct, String key) {
    Value value = struct.getFieldsMap().get(key);
    return value == null || value.getKindCase() != Value.KindCase.STRING_VALUE ? null : value.getStringValue();
  }

  private static String orUnknown(String value) {
    return value == null || value.isEmpty() ? UNKNOWN : value;
  }
}

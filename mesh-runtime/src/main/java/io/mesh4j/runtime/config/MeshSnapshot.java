package io.mesh4j.runtime.config;

import java.util.Map;

/**
 * Everything the request path needs, for every target the application has called and every cluster a request was
 * sent to by name. Immutable; replaced as a whole, with one volatile write, whenever the control plane changes
 * something.
 */
public record MeshSnapshot(Map<String, TargetConfig> targets, Map<String, ClusterTarget> clusterTargets) {
  public static final MeshSnapshot EMPTY = new MeshSnapshot(Map.of());

  public MeshSnapshot {
    targets = Map.copyOf(targets);
    clusterTargets = Map.copyOf(clusterTargets);
  }

  public MeshSnapshot(Map<String, TargetConfig> targets) {
    this(targets, Map.of());
  }

  /** The config of {@code target}, or {@code null} while the control plane has not answered for it. */
  public TargetConfig target(String target) {
    return targets.get(target);
  }

  /** The cluster followed by name, or {@code null} while the control plane has not answered for it. */
  public ClusterTarget clusterTarget(String name) {
    return clusterTargets.get(name);
  }
}

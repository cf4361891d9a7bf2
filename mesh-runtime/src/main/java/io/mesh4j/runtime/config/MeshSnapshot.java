package io.mesh4j.runtime.config;

import java.util.Map;

/**
 * Everything the request path needs, for every target the application has called. Immutable; replaced as a whole,
 * with one volatile write, whenever the control plane changes something.
 */
public record MeshSnapshot(Map<String, TargetConfig> targets) {
  public static final MeshSnapshot EMPTY = new MeshSnapshot(Map.of());

  public MeshSnapshot {
    targets = Map.copyOf(targets);
  }

  /** The config of {@code target}, or {@code null} while the control plane has not answered for it. */
  public TargetConfig target(String target) {
    return targets.get(target);
  }
}

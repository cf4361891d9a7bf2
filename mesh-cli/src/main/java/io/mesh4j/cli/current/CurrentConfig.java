package io.mesh4j.cli.current;

import java.util.Map;

/**
 * What the control plane serves now to one node, for the names asked.
 *
 * @param resources per asked resource that was answered: its version, or {@link CurrentResource#ABSENT}; a name the
 *     control plane did not answer in time is missing
 * @param error why the subscription failed or stopped short (the control plane unreachable, a timeout), else
 *     {@code null}
 */
public record CurrentConfig(Map<ResourceKey, CurrentResource> resources, String error) {
  public CurrentConfig {
    resources = Map.copyOf(resources);
  }

  /** What is current for {@code key}, or {@code null} when the control plane did not answer for it. */
  public CurrentResource get(ResourceKey key) {
    return resources.get(key);
  }
}

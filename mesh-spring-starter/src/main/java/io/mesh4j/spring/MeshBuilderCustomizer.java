package io.mesh4j.spring;

import io.mesh4j.MeshBuilder;

/**
 * Adjusts the {@link MeshBuilder} the starter builds the application's mesh with, after the {@code mesh.*}
 * properties are applied: the seam for other auto-configurations (metrics, tracing) and for the application's own
 * settings. Beans of this type are applied in their {@code @Order}.
 */
@FunctionalInterface
public interface MeshBuilderCustomizer {
  void customize(MeshBuilder builder);
}

package io.mesh4j.spi;

import io.mesh4j.Mesh;
import io.mesh4j.MeshOptions;

/** Implemented by the runtime and found with {@link java.util.ServiceLoader}; applications do not call it. */
public interface MeshProvider {
  Mesh create(MeshOptions options);
}

package io.mesh4j.runtime;

import io.mesh4j.Mesh;
import io.mesh4j.MeshOptions;
import io.mesh4j.MeshProvider;

/** Lets {@code Mesh.builder().build()} find this runtime through {@link java.util.ServiceLoader}. */
public final class MeshRuntimeProvider implements MeshProvider {
  @Override
  public Mesh create(MeshOptions options) {
    return MeshRuntime.start(options);
  }
}

package io.mesh4j;

/** Implemented by the runtime and found with {@link java.util.ServiceLoader}; applications do not call it. */
public interface MeshProvider {
  Mesh create(MeshOptions options);
}

package io.mesh4j.runtime.config;

/**
 * Told what the mesh now serves, to release what it no longer needs (endpoint channels, TLS contexts, SDS watches),
 * and told when the mesh closes. Called on the assembler's thread, one call at a time; keep it short.
 */
public interface SnapshotListener {
  /**
   * A new snapshot is about to be published: what its requests will need can be prepared now, before any request
   * (and any first-config waiter) sees it.
   */
  default void publishing(MeshSnapshot next) {}

  /** A new snapshot was published; what it does not refer to may be released. */
  void published(MeshSnapshot snapshot);

  /** The mesh is closing: release everything. Called on the thread that closes the mesh. */
  void closed();
}

package io.mesh4j.runtime.xds;

import com.google.protobuf.Any;
import java.time.Instant;

/**
 * Where the xDS client keeps what it accepted, so that a process can start while no control plane answers. The
 * client calls it on its context: the methods must not block (a store that writes to disk hands off to a thread of
 * its own).
 */
public interface ResourceCache {
  /** A resource the client accepted from a control plane, new or changed (not called for an unchanged resend). */
  void accepted(XdsResourceType<?> type, String name, String version, com.google.protobuf.Message resource,
      Instant acceptedAt);

  /** The control plane said the resource does not exist. */
  void removed(XdsResourceType<?> type, String name);

  /** The cached copy of a resource, or {@code null}. */
  Entry lookup(String typeUrl, String name);

  /** How the status view names this cache as a resource's source, e.g. {@code cache:/var/cache/mesh4j}. */
  String source();

  /** A server has answered: {@link #lookup} will not be called again, and what was read at start can go. */
  default void startupOver() {}

  /** Stops writing; pending writes are finished first. */
  default void close() {}

  /**
   * One cached resource.
   *
   * @param version the {@code version_info} of the response that carried it
   * @param acceptedAt when the client accepted it (its age)
   * @param resource the resource as the control plane sent it
   */
  record Entry(String version, Instant acceptedAt, Any resource) {}

  /** No cache: nothing is kept. */
  ResourceCache NONE = new ResourceCache() {
    @Override
    public void accepted(XdsResourceType<?> type, String name, String version, com.google.protobuf.Message resource,
        Instant acceptedAt) {}

    @Override
    public void removed(XdsResourceType<?> type, String name) {}

    @Override
    public Entry lookup(String typeUrl, String name) {
      return null;
    }

    @Override
    public String source() {
      return "none";
    }
  };
}

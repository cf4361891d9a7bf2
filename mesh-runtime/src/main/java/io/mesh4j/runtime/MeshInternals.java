package io.mesh4j.runtime;

import io.mesh4j.Mesh;
import io.mesh4j.runtime.engine.MeshEngine;
import io.mesh4j.runtime.xds.XdsClient;

/**
 * The runtime parts behind a {@link Mesh} that other adapters of this module (gRPC channels, CSDS) are built on. Not
 * an application API: applications use {@code MeshGrpc} (package {@code io.mesh4j.grpc}), which is built on this.
 */
public interface MeshInternals {

  /** The one routing engine every client of this mesh shares. */
  MeshEngine engine();

  /** The xDS client, for status views. */
  XdsClient xdsClient();

  /** The certificate material clusters' upstream TLS contexts use. */
  io.mesh4j.runtime.security.MeshSecurity security();

  /** How long a call waits for TLS material that is not loaded yet (the listener wait). */
  java.time.Duration tlsMaterialWait();

  /** The server listeners: how the application's own servers join the mesh. */
  io.mesh4j.runtime.inbound.InboundPorts inbound();

  /**
   * The mesh's metrics, or null when the application gave no registry and the admin endpoint is off. The server
   * side records its requests (reporter {@code destination}) into {@code metrics().requests()}.
   */
  default io.mesh4j.runtime.metrics.MetricsBinding metrics() {
    return null;
  }

  /**
   * Where the server side records the requests it answers (reporter {@code destination}), or null when metrics are
   * off: the inbound adapters call {@code record} once per request.
   */
  default io.mesh4j.runtime.metrics.InboundMetrics inboundMetrics() {
    return null;
  }

  /** The internals of {@code mesh}, which must have been built by this runtime. */
  static MeshInternals of(Mesh mesh) {
    if (mesh instanceof MeshInternals internals) {
      return internals;
    }
    throw new IllegalArgumentException(
        "not a mesh4j runtime mesh: " + (mesh == null ? "null" : mesh.getClass().getName()));
  }
}

package io.mesh4j;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.ServiceLoader;

/** Collects {@link MeshOptions} and asks the runtime on the class path to start a {@link Mesh}. */
public final class MeshBuilder {
  private BootstrapSource bootstrap = BootstrapSource.environment();
  private Duration listenerWait = MeshOptions.DEFAULT_LISTENER_WAIT;
  private OutboundTrafficPolicy outboundTrafficPolicy = OutboundTrafficPolicy.ALLOW_ANY;
  private Path configCacheDir;

  MeshBuilder() {}

  /** Bootstrap from this gRPC xDS bootstrap JSON instead of the environment. */
  public MeshBuilder bootstrapJson(String json) {
    this.bootstrap = BootstrapSource.json(json);
    return this;
  }

  /** Bootstrap from this file (gRPC xDS bootstrap JSON) instead of the environment. */
  public MeshBuilder bootstrapFile(Path file) {
    this.bootstrap = BootstrapSource.file(file);
    return this;
  }

  /**
   * How long the first request to a host waits for the control plane to say whether the host is in the mesh.
   * After that the request fails with {@link MeshRoutingException.Reason#NO_LISTENER}.
   */
  public MeshBuilder listenerWait(Duration wait) {
    this.listenerWait = Objects.requireNonNull(wait, "listenerWait");
    return this;
  }

  public MeshBuilder outboundTrafficPolicy(OutboundTrafficPolicy policy) {
    this.outboundTrafficPolicy = Objects.requireNonNull(policy, "outboundTrafficPolicy");
    return this;
  }

  /**
   * Persists every resource the control plane sends (and the mesh accepts) in {@code directory}, so that a process
   * started while no control plane answers serves its targets from the last good config until one does (status
   * {@code CACHED}). Without this, the environment's {@code MESH_CONFIG_CACHE_DIR} is used; without either, nothing is
   * persisted. Private keys are never written.
   */
  public MeshBuilder configCache(Path directory) {
    this.configCacheDir = Objects.requireNonNull(directory, "directory");
    return this;
  }

  public MeshOptions options() {
    return new MeshOptions(bootstrap, listenerWait, outboundTrafficPolicy, configCacheDir);
  }

  /**
   * Starts the mesh. Fails fast with {@link MeshConfigurationException} when the bootstrap is missing or invalid.
   */
  public Mesh build() {
    MeshOptions options = options();
    for (MeshProvider provider : ServiceLoader.load(MeshProvider.class, MeshBuilder.class.getClassLoader())) {
      return provider.create(options);
    }
    throw new MeshConfigurationException("no mesh runtime on the class path: add io.mesh4j:mesh-runtime");
  }
}

package io.mesh4j.spring;

import io.mesh4j.MeshOptions;
import io.mesh4j.OutboundTrafficPolicy;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code mesh.*}: how the application joins the mesh. Without a bootstrap the environment's is used. */
@ConfigurationProperties("mesh")
public class MeshProperties {
  /** Whether to start the mesh at all. */
  private boolean enabled = true;
  /** A gRPC xDS bootstrap file; overrides GRPC_XDS_BOOTSTRAP and friends. */
  private Path bootstrapFile;
  /** A gRPC xDS bootstrap as inline JSON; overrides the environment. */
  private String bootstrapJson;
  /** How long the first request to a host waits for the control plane to say whether it is in the mesh. */
  private Duration listenerWait = MeshOptions.DEFAULT_LISTENER_WAIT;
  /** What happens to requests for hosts the control plane does not know. */
  private OutboundTrafficPolicy outboundTrafficPolicy = OutboundTrafficPolicy.ALLOW_ANY;
  /**
   * A directory where the last accepted xDS config is persisted, so the application can start and route while the
   * control plane is unreachable; overrides MESH_CONFIG_CACHE_DIR. Private keys are never written.
   */
  private Path configCacheDir;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Path getBootstrapFile() {
    return bootstrapFile;
  }

  public void setBootstrapFile(Path bootstrapFile) {
    this.bootstrapFile = bootstrapFile;
  }

  public String getBootstrapJson() {
    return bootstrapJson;
  }

  public void setBootstrapJson(String bootstrapJson) {
    this.bootstrapJson = bootstrapJson;
  }

  public Duration getListenerWait() {
    return listenerWait;
  }

  public void setListenerWait(Duration listenerWait) {
    this.listenerWait = listenerWait;
  }

  public OutboundTrafficPolicy getOutboundTrafficPolicy() {
    return outboundTrafficPolicy;
  }

  public void setOutboundTrafficPolicy(OutboundTrafficPolicy outboundTrafficPolicy) {
    this.outboundTrafficPolicy = outboundTrafficPolicy;
  }

  public Path getConfigCacheDir() {
    return configCacheDir;
  }

  public void setConfigCacheDir(Path configCacheDir) {
    this.configCacheDir = configCacheDir;
  }
}

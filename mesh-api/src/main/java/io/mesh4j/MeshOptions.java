package io.mesh4j;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The choices an application makes when it starts a mesh; immutable.
 *
 * @param configCacheDir where to persist the last accepted config ({@link MeshBuilder#configCache}), or {@code null}
 *     to use the environment's {@value #CONFIG_CACHE_DIR_ENV} (no cache when that is unset too)
 * @param observability metrics, traces, access log and admin endpoint
 */
public record MeshOptions(
    BootstrapSource bootstrap,
    Duration listenerWait,
    OutboundTrafficPolicy outboundTrafficPolicy,
    Path configCacheDir,
    ObservabilityOptions observability) {

  /** The environment variable naming the config cache directory when the builder names none. */
  public static final String CONFIG_CACHE_DIR_ENV = "MESH_CONFIG_CACHE_DIR";

  /** As long as grpc-java's initial resource fetch timeout. */
  public static final Duration DEFAULT_LISTENER_WAIT = Duration.ofSeconds(15);

  public MeshOptions {
    Objects.requireNonNull(bootstrap, "bootstrap");
    Objects.requireNonNull(listenerWait, "listenerWait");
    Objects.requireNonNull(outboundTrafficPolicy, "outboundTrafficPolicy");
    Objects.requireNonNull(observability, "observability");
    if (listenerWait.isNegative()) {
      throw new MeshConfigurationException("listenerWait must not be negative: " + listenerWait);
    }
  }

  /** Without a config cache directory of its own, metrics, traces, access log or admin endpoint. */
  public MeshOptions(BootstrapSource bootstrap, Duration listenerWait, OutboundTrafficPolicy outboundTrafficPolicy) {
    this(bootstrap, listenerWait, outboundTrafficPolicy, null, ObservabilityOptions.NONE);
  }

  /** Without metrics, traces, access log or admin endpoint. */
  public MeshOptions(
      BootstrapSource bootstrap, Duration listenerWait, OutboundTrafficPolicy outboundTrafficPolicy,
      Path configCacheDir) {
    this(bootstrap, listenerWait, outboundTrafficPolicy, configCacheDir, ObservabilityOptions.NONE);
  }

  /** Without a config cache directory of its own. */
  public MeshOptions(
      BootstrapSource bootstrap, Duration listenerWait, OutboundTrafficPolicy outboundTrafficPolicy,
      ObservabilityOptions observability) {
    this(bootstrap, listenerWait, outboundTrafficPolicy, null, observability);
  }
}

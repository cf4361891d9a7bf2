package io.mesh4j;

import java.time.Duration;
import java.util.Objects;

/**
 * The choices an application makes when it starts a mesh; immutable.
 *
 * @param observability metrics, traces, access log and admin endpoint
 */
public record MeshOptions(
    BootstrapSource bootstrap,
    Duration listenerWait,
    OutboundTrafficPolicy outboundTrafficPolicy,
    ObservabilityOptions observability) {

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

  /** Without metrics, traces, access log or admin endpoint. */
  public MeshOptions(BootstrapSource bootstrap, Duration listenerWait, OutboundTrafficPolicy outboundTrafficPolicy) {
    this(bootstrap, listenerWait, outboundTrafficPolicy, ObservabilityOptions.NONE);
  }
}

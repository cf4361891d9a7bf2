package io.mesh4j;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The choices an application makes when it starts a mesh; immutable.
 *
 * @param meterRegistry a Micrometer {@code MeterRegistry}, or null for no metrics. Typed Object so that this record,
 *     which every mesh loads, never names an optional dependency; {@link MeshBuilder#meterRegistry} is the typed way
 *     in, and the runtime rejects anything else
 * @param adminPort the admin endpoint's port: -1 off, 0 any free port
 * @param adminHost the address the admin endpoint listens on
 */
public record MeshOptions(
    BootstrapSource bootstrap,
    Duration listenerWait,
    OutboundTrafficPolicy outboundTrafficPolicy,
    Object meterRegistry,
    int adminPort,
    String adminHost) {

  /** As long as grpc-java's initial resource fetch timeout. */
  public static final Duration DEFAULT_LISTENER_WAIT = Duration.ofSeconds(15);
  /** The environment variable that turns the admin endpoint on when the builder did not say. */
  public static final String ADMIN_PORT_ENV = "MESH4J_ADMIN_PORT";
  public static final String DEFAULT_ADMIN_HOST = "127.0.0.1";

  public MeshOptions {
    Objects.requireNonNull(bootstrap, "bootstrap");
    Objects.requireNonNull(listenerWait, "listenerWait");
    Objects.requireNonNull(outboundTrafficPolicy, "outboundTrafficPolicy");
    Objects.requireNonNull(adminHost, "adminHost");
    if (listenerWait.isNegative()) {
      throw new MeshConfigurationException("listenerWait must not be negative: " + listenerWait);
    }
    if (adminPort < -1 || adminPort > 65535) {
      throw new MeshConfigurationException("adminPort must be -1 (off), 0 (any free port) or a port: " + adminPort);
    }
  }

  /** Without metrics or admin endpoint. */
  public MeshOptions(BootstrapSource bootstrap, Duration listenerWait, OutboundTrafficPolicy outboundTrafficPolicy) {
    this(bootstrap, listenerWait, outboundTrafficPolicy, null, -1, DEFAULT_ADMIN_HOST);
  }

  /** {@value #ADMIN_PORT_ENV} as a port, -1 when unset or empty; a value that is not a port fails naming it. */
  static int adminPortFromEnvironment(Map<String, String> environment) {
    String value = environment.get(ADMIN_PORT_ENV);
    if (value == null || value.isBlank()) {
      return -1;
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port >= -1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new MeshConfigurationException(ADMIN_PORT_ENV + " must be -1, 0 or a port: '" + value + "'");
  }
}

package io.mesh4j;

import java.util.Map;
import java.util.Objects;

/**
 * What the mesh reports about itself: metrics, traces, an access log and the admin endpoint; immutable.
 *
 * @param meterRegistry a Micrometer {@code MeterRegistry}, or null for no metrics. Typed Object so that this record,
 *     which every mesh loads, never names an optional dependency; {@link MeshBuilder#meterRegistry} is the typed way
 *     in, and the runtime rejects anything else
 * @param observationRegistry a Micrometer {@code ObservationRegistry}, or null for no observations (traces); as
 *     {@code meterRegistry}, typed Object
 * @param accessLog whether each request is logged in Envoy's format to the SLF4J logger {@value #ACCESS_LOGGER}
 * @param adminPort the admin endpoint's port: -1 off, 0 any free port
 * @param adminHost the address the admin endpoint listens on
 */
public record ObservabilityOptions(
    Object meterRegistry, Object observationRegistry, boolean accessLog, int adminPort, String adminHost) {
  /** The environment variable that turns the admin endpoint on when the builder did not say. */
  public static final String ADMIN_PORT_ENV = "MESH4J_ADMIN_PORT";
  public static final String DEFAULT_ADMIN_HOST = "127.0.0.1";
  public static final String ACCESS_LOGGER = "io.mesh4j.accesslog";
  public static final ObservabilityOptions NONE = new ObservabilityOptions(null, null, false, -1, DEFAULT_ADMIN_HOST);

  public ObservabilityOptions {
    Objects.requireNonNull(adminHost, "adminHost");
    if (adminPort < -1 || adminPort > 65535) {
      throw new MeshConfigurationException("adminPort must be -1 (off), 0 (any free port) or a port: " + adminPort);
    }
  }

  /** Whether any of it is on. */
  public boolean any() {
    return meterRegistry != null || observationRegistry != null || accessLog || adminPort >= 0;
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

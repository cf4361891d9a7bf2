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
  /** A Micrometer {@code MeterRegistry}, held as Object so that {@link MeshOptions} never names Micrometer. */
  private Object meterRegistry;
  /** A Micrometer {@code ObservationRegistry}, held as Object for the same reason. */
  private Object observationRegistry;
  private boolean accessLog;
  private Integer adminPort;
  private String adminHost = ObservabilityOptions.DEFAULT_ADMIN_HOST;

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

  /**
   * Records Istio's standard metrics ({@code istio_requests_total}, ...) and the mesh's own into this registry, a
   * Micrometer {@code MeterRegistry}. Typed Object so that Micrometer stays optional: no signature of mesh-api names
   * it, so an application without Micrometer never loads it, not even when a framework reflects on this builder.
   * Anything but a {@code MeterRegistry} is refused here. Without a registry the mesh records nothing and costs
   * nothing per request; the admin endpoint, when enabled, then keeps a Prometheus registry of its own.
   *
   * @throws MeshConfigurationException when {@code registry} is not a Micrometer {@code MeterRegistry}
   */
  public MeshBuilder meterRegistry(Object registry) {
    this.meterRegistry = requireKind(registry, "io.micrometer.core.instrument.MeterRegistry", "meterRegistry");
    return this;
  }

  /**
   * Serves the admin endpoint ({@code /stats/prometheus}, {@code /config_dump}, {@code /status},
   * {@code /healthz/ready}) on this port of the loopback interface; 0 picks a free port, -1 turns it off. Without
   * this call the environment variable {@value ObservabilityOptions#ADMIN_PORT_ENV} decides, and by default it is off.
   */
  public MeshBuilder adminPort(int port) {
    if (port < -1 || port > 65535) {
      throw new MeshConfigurationException("adminPort must be -1 (off), 0 (any free port) or a port: " + port);
    }
    this.adminPort = port;
    return this;
  }

  /**
   * A Micrometer {@code ObservationRegistry} (typed Object for the reason {@link #meterRegistry} is): one
   * {@code Observation} per request ({@code mesh4j.client.request}) with a child per attempt
   * ({@code mesh4j.client.attempt}: cluster, endpoint, attempt number, retry reason, response flags). Each attempt
   * is a sender context whose carrier is that attempt's headers, so a tracing handler (Micrometer Tracing with Brave
   * or OpenTelemetry) writes the trace context ({@code traceparent}, B3) into every attempt, retries included.
   */
  public MeshBuilder observationRegistry(Object registry) {
    this.observationRegistry =
        requireKind(registry, "io.micrometer.observation.ObservationRegistry", "observationRegistry");
    return this;
  }

  /** {@code value}, if its class is or extends the class or interface named so; checked by name, loading nothing. */
  private static Object requireKind(Object value, String typeName, String what) {
    Objects.requireNonNull(value, what);
    if (!isA(value.getClass(), typeName)) {
      throw new MeshConfigurationException(what + " must be a " + typeName + ", got " + value.getClass().getName());
    }
    return value;
  }

  private static boolean isA(Class<?> type, String typeName) {
    if (type == null) {
      return false;
    }
    if (type.getName().equals(typeName) || isA(type.getSuperclass(), typeName)) {
      return true;
    }
    for (Class<?> implemented : type.getInterfaces()) {
      if (isA(implemented, typeName)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Logs one line per request in Envoy's default access log format (with the upstream cluster and the number of
   * attempts appended) to the SLF4J logger {@value ObservabilityOptions#ACCESS_LOGGER} at INFO.
   */
  public MeshBuilder accessLog(boolean enabled) {
    this.accessLog = enabled;
    return this;
  }

  /** The admin endpoint's address; loopback ({@value ObservabilityOptions#DEFAULT_ADMIN_HOST}) by default. */
  public MeshBuilder adminHost(String host) {
    this.adminHost = Objects.requireNonNull(host, "host");
    return this;
  }

  public MeshOptions options() {
    int port = adminPort != null ? adminPort : ObservabilityOptions.adminPortFromEnvironment(System.getenv());
    return new MeshOptions(bootstrap, listenerWait, outboundTrafficPolicy, configCacheDir,
        new ObservabilityOptions(meterRegistry, observationRegistry, accessLog, port, adminHost));
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

package io.mesh4j.runtime;

import io.mesh4j.Mesh;
import io.mesh4j.MeshOptions;
import io.mesh4j.MeshStatus;
import io.mesh4j.runtime.bootstrap.Bootstrap;
import io.mesh4j.runtime.bootstrap.BootstrapLoader;
import io.mesh4j.runtime.cluster.LbEnvironment;
import io.mesh4j.runtime.config.ConfigAssembler;
import io.mesh4j.runtime.config.ResourceTypes;
import io.mesh4j.runtime.admin.AdminServer;
import io.mesh4j.runtime.engine.MeshEngine;
import io.mesh4j.runtime.filter.builtin.BuiltInFilters;
import io.mesh4j.runtime.inbound.InboundPorts;
import io.mesh4j.runtime.server.MeshInboundPorts;
import io.mesh4j.runtime.filter.jwt.JwksFetchers;
import io.mesh4j.MeshConfigurationException;
import io.mesh4j.ObservabilityOptions;
import io.mesh4j.runtime.metrics.AccessLog;
import io.mesh4j.runtime.metrics.InboundMetrics;
import io.mesh4j.runtime.metrics.MetricsBinding;
import io.mesh4j.runtime.metrics.RequestTracer;
import io.mesh4j.runtime.metrics.micrometer.ObservationRequestTracer;
import io.mesh4j.runtime.metrics.OutboundMetrics;
import io.mesh4j.runtime.metrics.WorkloadLabels;
import io.mesh4j.runtime.metrics.micrometer.MeshMetrics;
import io.mesh4j.runtime.okhttp.MeshOkHttp;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.security.MeshSecurity;
import io.mesh4j.runtime.xds.ResourceCache;
import io.mesh4j.runtime.xds.XdsClient;
import io.mesh4j.runtime.cluster.ClusterType;
import io.mesh4j.runtime.cluster.EndpointType;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.route.RouteConfigurationType;
import org.slf4j.LoggerFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import okhttp3.OkHttpClient;

/** The runtime behind {@link Mesh}: one xDS client, one assembler, one engine, shared by every client it routes. */
final class MeshRuntime implements Mesh, MeshInternals {
  static final ResourceTypes RESOURCE_TYPES = new ResourceTypes(
      ListenerType.INSTANCE, RouteConfigurationType.INSTANCE, ClusterType.INSTANCE, EndpointType.INSTANCE);

  private final ScheduledExecutorService scheduler;
  private final ScheduledExecutorService probes;
  private final XdsClient xds;
  private final ConfigAssembler assembler;
  private final MeshEngine engine;
  private final MeshSecurity security;
  private final Duration tlsMaterialWait;
  private final MeshInboundPorts inbound;
  private final AutoCloseable jwksFetcher;
  private MetricsBinding metrics;
  private InboundMetrics inboundMetrics;
  private AdminServer adminServer;

  private MeshRuntime(ScheduledExecutorService scheduler, ScheduledExecutorService probes, XdsClient xds,
      ConfigAssembler assembler, MeshEngine engine, MeshSecurity security, Duration tlsMaterialWait,
      MeshInboundPorts inbound) {
    this.inbound = inbound;
    this.scheduler = scheduler;
    this.probes = probes;
    this.xds = xds;
    this.assembler = assembler;
    this.engine = engine;
    this.security = security;
    this.tlsMaterialWait = tlsMaterialWait;
    // jwt_authn's remote JWKS are fetched through this mesh's own client.
    this.jwksFetcher = JwksFetchers.install(new MeshJwksFetcher(() -> okHttp(new OkHttpClient.Builder())));
  }

  /** Loads the bootstrap (failing fast, naming the field) and connects to the control plane. */
  static MeshRuntime start(MeshOptions options) {
    return start(options, UnaryOperator.identity());
  }

  /** As {@link #start(MeshOptions)}, letting tests adjust the xDS client (backoff, clocks). */
  static MeshRuntime start(MeshOptions options, UnaryOperator<XdsClient.Builder> xdsSettings) {
    Objects.requireNonNull(options, "options");
    Bootstrap bootstrap = BootstrapLoader.load(options.bootstrap());
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "mesh4j-xds-timer");
      thread.setDaemon(true);
      return thread;
    });
    LongSupplier random = () -> ThreadLocalRandom.current().nextLong() >>> 1;
    ResourceCache cache = ConfigCacheDirectory.open(options);
    // Half the listener wait: a first request waiting for a target that the cache holds is served within its wait.
    XdsClient xds = xdsSettings.apply(XdsClient.newBuilder(bootstrap, scheduler)
        .resourceCache(cache, options.listenerWait().dividedBy(2))).build();
    MeshSecurity security;
    try {
      security = MeshSecurity.start(bootstrap.certificateProviders(), bootstrap.node().getMetadata(), xds, scheduler,
          Clock.systemUTC());
    } catch (RuntimeException e) {
      xds.close();
      scheduler.shutdownNow();
      throw e;
    }
    // Connectivity probes block for up to a connect timeout, so they get their own thread, not the xDS timer's.
    ScheduledExecutorService probes = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "mesh4j-lb-probe");
      thread.setDaemon(true);
      return thread;
    });
    // Clusters may name the bootstrap's certificate provider instances, and only those.
    // Server listeners' chains too. The client side and the server side share one listener type: the xDS client
    // decodes every resource of a type URL with one decoder.
    ListenerType listeners = ListenerType.forMesh(security.providerInstanceNames(), BuiltInFilters.REGISTRY,
        bootstrap.serverListenerResourceNameTemplate());
    ResourceTypes types = new ResourceTypes(listeners, RESOURCE_TYPES.routes(),
        ClusterType.withCertificateProviders(security.providerInstanceNames()), RESOURCE_TYPES.endpoints());
    ConfigAssembler assembler = new ConfigAssembler(
        xds, types, bootstrap::listenerName, random, LbEnvironment.withScheduler(probes), PolicyEnvironment.system());
    assembler.listen(new TlsContextRetention(security));
    MeshEngine engine = new MeshEngine(assembler, options.outboundTrafficPolicy(), options.listenerWait(), random,
        PolicyEnvironment.system(), InstanceAddress.of(bootstrap.node()));
    MeshInboundPorts inbound = new MeshInboundPorts(xds, listeners, RouteConfigurationType.INSTANCE, security,
        bootstrap::serverListenerName);
    MeshRuntime runtime =
        new MeshRuntime(scheduler, probes, xds, assembler, engine, security, options.listenerWait(), inbound);
    try {
      runtime.startObservability(options, bootstrap);
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
    return runtime;
  }

  /**
   * Metrics when the application gave a registry or asked for the admin endpoint (whose {@code /stats/prometheus}
   * needs them), then the admin endpoint. Micrometer is loaded only here, and only then.
   */
  private void startObservability(MeshOptions options, Bootstrap bootstrap) {
    ObservabilityOptions observe = options.observability();
    if (!observe.any()) {
      return;
    }
    boolean admin = observe.adminPort() >= 0;
    if (observe.meterRegistry() != null || admin && MetricsBinding.micrometerPresent()) {
      if (!MetricsBinding.micrometerPresent()) {
        throw new MeshConfigurationException("meterRegistry needs io.micrometer:micrometer-core");
      }
      metrics = MeshMetrics.start(observe.meterRegistry(), admin, xds, security, assembler::listen,
          Clock.systemUTC());
    }
    RequestTracer tracer = observe.observationRegistry() == null ? null
        : ObservationRequestTracer.of(observe.observationRegistry());
    AccessLog accessLog = observe.accessLog() ? new AccessLog() : null;
    WorkloadLabels self = WorkloadLabels.fromNodeMetadata(bootstrap.node().getMetadata());
    if (metrics != null || tracer != null || accessLog != null) {
      engine.recordInto(new OutboundMetrics(metrics == null ? null : metrics.requests(), tracer, accessLog, self,
          System::nanoTime));
    }
    if (metrics != null) {
      inboundMetrics = new InboundMetrics(metrics.requests(), self, System::nanoTime);
    }
    if (admin) {
      MetricsBinding scraped = metrics;
      adminServer = AdminServer.start(observe.adminHost(), observe.adminPort(), new AdminServer.Sources(
          this::status, xds::dump, xds::node, this::ready, scraped == null ? null : scraped::scrapePrometheus));
    }
  }

  @Override
  public OkHttpClient.Builder okHttp(OkHttpClient.Builder builder) {
    return MeshOkHttp.install(builder, engine, security, tlsMaterialWait, PolicyEnvironment.system());
  }

  /** The certificate providers and TLS contexts, for tests. */
  @Override
  public Duration tlsMaterialWait() {
    return tlsMaterialWait;
  }

  @Override
  public InboundPorts inbound() {
    return inbound;
  }

  @Override
  public MeshSecurity security() {
    return security;
  }

  @Override
  public SSLContext serverSslContext(String instance) {
    return security.serverSslContext(instance);
  }

  @Override
  public MeshEngine engine() {
    return engine;
  }

  @Override
  public XdsClient xdsClient() {
    return xds;
  }

  @Override
  public MeshStatus status() {
    return new MeshStatus(xds.serverUri(), xds.connected(), xds.status(), xds.ignoredFields());
  }

  /** The metrics, or null when off; for tests and the Spring starter. */
  @Override
  public MetricsBinding metrics() {
    return metrics;
  }

  @Override
  public InboundMetrics inboundMetrics() {
    return inboundMetrics;
  }

  @Override
  public java.util.Optional<java.net.InetSocketAddress> adminAddress() {
    return adminServer == null ? java.util.Optional.empty() : java.util.Optional.of(adminServer.address());
  }

  /**
   * Ready once every target subscribed so far has its config and every certificate provider its material (Istio's
   * {@code /healthz/ready}: the proxy got its config). A mesh that routes nothing yet is ready.
   */
  boolean ready() {
    if (!xds.connected() && xds.status().isEmpty()) {
      return false;
    }
    for (io.mesh4j.ResourceStatus resource : xds.status()) {
      if (resource.state() == io.mesh4j.ResourceState.REQUESTED) {
        return false;
      }
    }
    for (String instance : security.providerInstanceNames()) {
      if (!security.provider(instance).ready().isDone()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    if (adminServer != null) {
      adminServer.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    try {
      jwksFetcher.close();
    } catch (Exception e) {
      // Closing the rest of the mesh matters more than a fetcher that failed to let go.
      LoggerFactory.getLogger(MeshRuntime.class).warn("closing the JWKS fetcher failed", e);
    }
    engine.close();
    assembler.close();
    security.close();
    xds.close();
    scheduler.shutdownNow();
    probes.shutdownNow();
  }
}

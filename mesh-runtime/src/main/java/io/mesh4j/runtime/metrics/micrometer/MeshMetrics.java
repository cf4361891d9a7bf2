package io.mesh4j.runtime.metrics.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.mesh4j.MeshConfigurationException;
import io.mesh4j.runtime.config.SnapshotListener;
import io.mesh4j.runtime.metrics.MetricsBinding;
import io.mesh4j.runtime.metrics.RequestMetrics;
import io.mesh4j.runtime.security.MeshSecurity;
import io.mesh4j.runtime.xds.XdsClient;
import java.time.Clock;
import java.util.function.Function;

/**
 * Binds the mesh's metrics to Micrometer: the application's registry, and for the admin endpoint's
 * {@code /stats/prometheus} a Prometheus registry. When the application's registry is a Prometheus one the endpoint
 * scrapes it; when it is another kind (or there is none) the mesh keeps a Prometheus registry of its own and records
 * into both (a composite), so the endpoint shows the mesh's meters whatever the application exports to.
 */
public final class MeshMetrics implements MetricsBinding {
  private final MeterRegistry recording;
  private final MeterRegistry prometheus;
  private final MicrometerRequestMetrics requests;
  private final AutoCloseable clusterListener;
  private final ClusterGauges clusters;

  private MeshMetrics(MeterRegistry recording, MeterRegistry prometheus, AutoCloseable clusterListener,
      ClusterGauges clusters) {
    this.recording = recording;
    this.prometheus = prometheus;
    this.requests = new MicrometerRequestMetrics(recording);
    this.clusterListener = clusterListener;
    this.clusters = clusters;
  }

  /**
   * @param applicationRegistry a {@code MeterRegistry}, or null
   * @param prometheusEndpoint whether the admin endpoint will scrape a Prometheus registry
   * @param listen registers a snapshot listener with the mesh's config (per-cluster gauges follow the config)
   * @throws MeshConfigurationException when {@code applicationRegistry} is not a Micrometer {@code MeterRegistry}
   */
  public static MetricsBinding start(Object applicationRegistry, boolean prometheusEndpoint, XdsClient xds,
      MeshSecurity security, Function<SnapshotListener, AutoCloseable> listen, Clock clock) {
    MeterRegistry application = null;
    if (applicationRegistry != null) {
      if (!(applicationRegistry instanceof MeterRegistry registry)) {
        throw new MeshConfigurationException("meterRegistry must be a Micrometer MeterRegistry, got "
            + applicationRegistry.getClass().getName());
      }
      application = registry;
    }
    MeterRegistry prometheus = null;
    if (prometheusEndpoint && MetricsBinding.prometheusPresent()) {
      prometheus = application != null && PrometheusRegistries.isPrometheus(application)
          ? application : PrometheusRegistries.create();
    }
    MeterRegistry recording;
    if (application == null) {
      recording = prometheus;
    } else if (prometheus == null || prometheus == application) {
      recording = application;
    } else {
      CompositeMeterRegistry both = new CompositeMeterRegistry();
      both.add(application);
      both.add(prometheus);
      recording = both;
    }
    if (recording == null) {
      return null;
    }
    XdsClientMeters.bind(recording, xds);
    CertificateMeters.bind(recording, security, clock);
    ClusterGauges clusters = new ClusterGauges(recording);
    AutoCloseable listener = listen.apply(clusters);
    return new MeshMetrics(recording, prometheus, listener, clusters);
  }

  /** The registry the mesh records into (the application's, its own Prometheus one, or both). */
  public MeterRegistry registry() {
    return recording;
  }

  @Override
  public RequestMetrics requests() {
    return requests;
  }

  @Override
  public String scrapePrometheus() {
    return prometheus == null ? null : PrometheusRegistries.scrape(prometheus);
  }

  @Override
  public void close() {
    try {
      clusterListener.close();
    } catch (Exception e) {
      // the assembler is closing too; nothing more to release
    }
    clusters.closed();
  }
}

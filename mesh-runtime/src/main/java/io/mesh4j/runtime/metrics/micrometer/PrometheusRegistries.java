package io.mesh4j.runtime.metrics.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The one place that names the Prometheus registry, so the rest of the metrics load without it on the class path.
 */
final class PrometheusRegistries {
  private PrometheusRegistries() {}

  static boolean isPrometheus(MeterRegistry registry) {
    return registry instanceof PrometheusMeterRegistry;
  }

  static MeterRegistry create() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  static String scrape(MeterRegistry registry) {
    return ((PrometheusMeterRegistry) registry).scrape();
  }
}

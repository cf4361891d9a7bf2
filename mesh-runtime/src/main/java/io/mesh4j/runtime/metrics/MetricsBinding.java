package io.mesh4j.runtime.metrics;

/**
 * The mesh's metrics once bound to a registry, seen without naming Micrometer (so the runtime loads Micrometer only
 * when the application asked for metrics or the admin endpoint).
 */
public interface MetricsBinding extends AutoCloseable {
  /** Where requests are recorded, on both sides. */
  RequestMetrics requests();

  /** The mesh's meters in Prometheus text, or null when there is no Prometheus registry. */
  String scrapePrometheus();

  /** Removes the gauges that read the mesh's state. */
  @Override
  void close();

  /** Whether Micrometer (and, for the other one, its Prometheus registry) is on the class path. */
  static boolean micrometerPresent() {
    return present("io.micrometer.core.instrument.MeterRegistry");
  }

  static boolean prometheusPresent() {
    return present("io.micrometer.prometheusmetrics.PrometheusMeterRegistry");
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, MetricsBinding.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}

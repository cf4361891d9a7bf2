package io.mesh4j.runtime.testing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.mesh4j.runtime.metrics.InboundMetrics;
import io.mesh4j.runtime.metrics.WorkloadLabels;
import io.mesh4j.runtime.metrics.micrometer.MicrometerRequestMetrics;

/** The server side's recorder over a real Micrometer registry, and the reads a test makes of it. */
public final class DestinationMeters {
  /** The workload the servers under test are: what {@code destination_*} labels must say. */
  public static final WorkloadLabels SELF = new WorkloadLabels("catalog-v1", "shop", null, "catalog", "v1", "c1");

  private DestinationMeters() {}

  public static InboundMetrics into(MeterRegistry registry) {
    return new InboundMetrics(new MicrometerRequestMetrics(registry), SELF, System::nanoTime);
  }

  /** {@code istio_requests_total} summed over the series with these tags (name, value, name, value, ...). */
  public static double requests(MeterRegistry registry, String... tags) {
    return Search.in(registry).name("istio_requests").tags(tags).counters().stream()
        .mapToDouble(Counter::count).sum();
  }
}

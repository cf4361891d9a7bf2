package io.mesh4j.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterSeriesTest {
  private final List<RequestLabels> resolved = new ArrayList<>();
  private final List<String> recorded = new ArrayList<>();
  private final RequestMetrics sink = new RequestMetrics() {
    @Override
    public void record(RequestLabels labels, long durationNanos, long requestBytes, long responseBytes) {
      recorded.add(labels.responseCode() + " " + durationNanos);
    }

    @Override
    public Series series(RequestLabels labels) {
      resolved.add(labels);
      return RequestMetrics.super.series(labels);
    }

    @Override
    public void upstream(String cluster, int retries, boolean retrySucceeded, boolean retryOverflow, int flags) {}
  };
  private final ServiceLabels service = ServiceLabels.fromClusterName("outbound|8080||reviews.default.svc.cluster.local");
  private final WorkloadLabels self = new WorkloadLabels("productpage", "default", null, "productpage", "v1", "c1");
  private final WorkloadLabels peer = WorkloadLabels.fromEndpointWorkload("reviews-v1;default;reviews;v1;c1");

  @Test
  void aLabelSetIsResolvedOnceAndKeptWhenItsLabelsAreEqualButNotTheSameObjects() {
    ClusterSeries series = new ClusterSeries(service);
    RequestMetrics.Series first = series.series(sink, self, peer, "http", 200, "", "-");
    RequestMetrics.Series again = series.series(sink, self.withPrincipal(null), peer.withPrincipal("unknown"),
        new String("http"), 200, new String(""), new String("-"));
    RequestMetrics.Series other = series.series(sink, self, peer, "http", 503, "", "UF");
    first.record(5, 0, 10);
    other.record(7, 0, 10);

    assertThat(again).isSameAs(first);
    assertThat(other).isNotSameAs(first);
    assertThat(resolved).extracting(RequestLabels::responseCode).containsExactly(200, 503);
    assertThat(resolved.get(0)).isEqualTo(new RequestLabels(RequestLabels.SOURCE, self, peer, service, "http", 200, "",
        "-", WorkloadLabels.UNKNOWN));
    assertThat(recorded).containsExactly("200 5", "503 7");
  }

  @Test
  void pastItsBoundALabelSetIsStillRecordedThroughTheSink() {
    ClusterSeries series = new ClusterSeries(service);
    for (int code = 0; code < ClusterSeries.LIMIT + 10; code++) {
      series.series(sink, self, peer, "http", code, "", "-").record(code, 0, 0);
    }
    series.series(sink, self, peer, "http", ClusterSeries.LIMIT + 5, "", "-").record(1, 0, 0);

    assertThat(recorded).hasSize(ClusterSeries.LIMIT + 11).endsWith("" + (ClusterSeries.LIMIT + 5) + " 1");
    // Kept: the first LIMIT label sets; the ones past it are resolved again each time.
    assertThat(resolved).hasSize(ClusterSeries.LIMIT + 11);
  }
}

package io.mesh4j.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.mesh4j.runtime.model.CircuitBreakerThresholds;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.OutlierDetectionConfig;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.runtime.xds.NoteCollector;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import org.junit.jupiter.api.Test;

/** CDS circuit_breakers and outlier_detection: values, Envoy's defaults, every rejection. */
class ClusterPolicyDecodeTest {
  private static final long S = 1_000_000_000L;
  private final NoteCollector notes = new NoteCollector();

  private ClusterResource decode(Cluster.Builder cluster) throws ResourceInvalidException {
    return ClusterType.INSTANCE.decode(cluster.build(), notes);
  }

  private static Cluster.Builder eds() {
    return XdsResources.edsCluster("outbound|8080||catalog").toBuilder();
  }

  private void assertRejected(Cluster.Builder cluster, String message) {
    assertThatThrownBy(() -> decode(cluster)).isInstanceOf(ResourceInvalidException.class).hasMessage(message);
  }

  private static Cluster.Builder breakers(CircuitBreakers.Thresholds.Builder... thresholds) {
    CircuitBreakers.Builder b = CircuitBreakers.newBuilder();
    for (CircuitBreakers.Thresholds.Builder t : thresholds) {
      b.addThresholds(t);
    }
    return eds().setCircuitBreakers(b);
  }

  private static Cluster.Builder outliers(OutlierDetection.Builder od) {
    return eds().setOutlierDetection(od);
  }

  @Test
  void noCircuitBreakersMeansEnvoysDefaults() throws Exception {
    assertThat(decode(eds()).circuitBreakers()).isEqualTo(CircuitBreakerThresholds.DEFAULT);
    assertThat(decode(eds()).outlierDetection()).isNull();
  }

  @Test
  void defaultPriorityThresholdsAreDecodedUnsetOnesDefault() throws Exception {
    CircuitBreakerThresholds t = decode(breakers(CircuitBreakers.Thresholds.newBuilder()
        .setMaxConnections(UInt32Value.of(1)).setMaxPendingRequests(UInt32Value.of(2))
        .setMaxRequests(UInt32Value.of(3)))).circuitBreakers();
    assertThat(t).isEqualTo(new CircuitBreakerThresholds(1, 2, 3, 3));
    CircuitBreakerThresholds istio = decode(breakers(CircuitBreakers.Thresholds.newBuilder()
        .setMaxConnections(UInt32Value.of(-1)).setMaxPendingRequests(UInt32Value.of(-1))
        .setMaxRequests(UInt32Value.of(-1)).setMaxRetries(UInt32Value.of(-1)).setTrackRemaining(true)))
        .circuitBreakers();
    assertThat(istio.maxRetries()).isEqualTo(4_294_967_295L);
    assertThat(notes.notes).containsExactly("CDS: circuit_breakers.thresholds[0].track_remaining");
  }

  @Test
  void highPriorityThresholdsAreNotedAndDoNotApply() throws Exception {
    CircuitBreakerThresholds t = decode(breakers(
        CircuitBreakers.Thresholds.newBuilder().setPriority(RoutingPriority.HIGH).setMaxRequests(UInt32Value.of(1)),
        CircuitBreakers.Thresholds.newBuilder().setMaxRequests(UInt32Value.of(7)))).circuitBreakers();
    assertThat(t.maxRequests()).isEqualTo(7);
    assertThat(notes.notes)
        .containsExactly("CDS: circuit_breakers.thresholds with priority HIGH (every route is DEFAULT priority)");
  }

  @Test
  void circuitBreakerRejections() {
    assertRejected(breakers(CircuitBreakers.Thresholds.newBuilder(), CircuitBreakers.Thresholds.newBuilder()),
        "circuit_breakers.thresholds[1].priority: DEFAULT thresholds are given twice");
    assertRejected(breakers(CircuitBreakers.Thresholds.newBuilder().setPriority(RoutingPriority.HIGH),
            CircuitBreakers.Thresholds.newBuilder().setPriority(RoutingPriority.HIGH)),
        "circuit_breakers.thresholds[1].priority: HIGH thresholds are given twice");
    assertRejected(breakers(CircuitBreakers.Thresholds.newBuilder().setPriorityValue(7)),
        "circuit_breakers.thresholds[0].priority: unknown priority 7");
    assertRejected(breakers(CircuitBreakers.Thresholds.newBuilder()
            .setRetryBudget(CircuitBreakers.Thresholds.RetryBudget.getDefaultInstance())),
        "circuit_breakers.thresholds[0].retry_budget: not supported yet");
    assertRejected(breakers(CircuitBreakers.Thresholds.newBuilder().setMaxConnectionPools(UInt32Value.of(1))),
        "circuit_breakers.thresholds[0].max_connection_pools: not supported yet");
    assertRejected(eds().setCircuitBreakers(CircuitBreakers.newBuilder()
            .addPerHostThresholds(CircuitBreakers.Thresholds.getDefaultInstance())),
        "circuit_breakers.per_host_thresholds: not supported yet");
  }

  @Test
  void anEmptyOutlierDetectionHasEnvoysDefaults() throws Exception {
    OutlierDetectionConfig c = decode(outliers(OutlierDetection.newBuilder())).outlierDetection();
    assertThat(c).isEqualTo(OutlierDetectionConfig.DEFAULT);
    assertThat(c.intervalNanos()).isEqualTo(10 * S);
    assertThat(c.baseEjectionTimeNanos()).isEqualTo(30 * S);
    assertThat(c.maxEjectionPercent()).isEqualTo(10);
    assertThat(c.maxEjectionTimeNanos()).isEqualTo(300 * S);
  }

  @Test
  void everyOutlierFieldIsRead() throws Exception {
    OutlierDetectionConfig c = decode(outliers(OutlierDetection.newBuilder()
        .setConsecutive5Xx(UInt32Value.of(2)).setConsecutiveGatewayFailure(UInt32Value.of(3))
        .setInterval(Duration.newBuilder().setSeconds(1)).setBaseEjectionTime(Duration.newBuilder().setSeconds(2))
        .setMaxEjectionTime(Duration.newBuilder().setSeconds(9))
        .setMaxEjectionTimeJitter(Duration.newBuilder().setSeconds(1))
        .setMaxEjectionPercent(UInt32Value.of(50)).setEnforcingConsecutive5Xx(UInt32Value.of(90))
        .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(80)).setEnforcingSuccessRate(UInt32Value.of(70))
        .setSuccessRateMinimumHosts(UInt32Value.of(4)).setSuccessRateRequestVolume(UInt32Value.of(20))
        .setSuccessRateStdevFactor(UInt32Value.of(1000)).setFailurePercentageThreshold(UInt32Value.of(60))
        .setEnforcingFailurePercentage(UInt32Value.of(40)).setFailurePercentageMinimumHosts(UInt32Value.of(3))
        .setFailurePercentageRequestVolume(UInt32Value.of(10)).setAlwaysEjectOneHost(BoolValue.of(true))
        .setSplitExternalLocalOriginErrors(false)
        .setConsecutiveLocalOriginFailure(UInt32Value.of(1)))).outlierDetection();
    assertThat(c).isEqualTo(new OutlierDetectionConfig(2, 3, S, 2 * S, 9 * S, S, 50, 90, 80, 70, 4, 20, 1000, 60, 40,
        3, 10, true));
    assertThat(notes.notes).containsExactly("CDS: outlier_detection.consecutive_local_origin_failure");
  }

  @Test
  void outlierDetectionRejections() {
    assertRejected(outliers(OutlierDetection.newBuilder().setSplitExternalLocalOriginErrors(true)),
        "outlier_detection.split_external_local_origin_errors: not supported (only false)");
    assertRejected(outliers(OutlierDetection.newBuilder().setInterval(Duration.getDefaultInstance())),
        "outlier_detection.interval: must be greater than 0");
    assertRejected(outliers(OutlierDetection.newBuilder().setBaseEjectionTime(Duration.getDefaultInstance())),
        "outlier_detection.base_ejection_time: must be greater than 0");
    assertRejected(outliers(OutlierDetection.newBuilder().setInterval(Duration.newBuilder().setSeconds(-1))),
        "outlier_detection.interval: invalid duration -1s 0ns");
    assertRejected(outliers(OutlierDetection.newBuilder().setMaxEjectionPercent(UInt32Value.of(101))),
        "outlier_detection.max_ejection_percent: 101 is not a percentage (0-100)");
    assertRejected(outliers(OutlierDetection.newBuilder().setEnforcingSuccessRate(UInt32Value.of(200))),
        "outlier_detection.enforcing_success_rate: 200 is not a percentage (0-100)");
    assertRejected(outliers(OutlierDetection.newBuilder().setConsecutive5Xx(UInt32Value.of(-1))),
        "outlier_detection.consecutive_5xx: 4294967295 is too large");
    assertRejected(outliers(OutlierDetection.newBuilder().addMonitors(TypedExtensionConfig.newBuilder().setName("m"))),
        "outlier_detection.monitors: not supported");
  }
}

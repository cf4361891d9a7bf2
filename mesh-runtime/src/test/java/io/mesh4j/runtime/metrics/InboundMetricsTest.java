package io.mesh4j.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mesh4j.runtime.metrics.micrometer.MicrometerRequestMetrics;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The server side's hook records into the same meters, as reporter destination. */
class InboundMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong nanos = new AtomicLong();
  private final InboundMetrics inbound = new InboundMetrics(new MicrometerRequestMetrics(registry),
      new WorkloadLabels("catalog-v1", "shop", null, "catalog", "v1", "Kubernetes"), nanos::get);

  @Test
  void aMutualTlsRequestNamesItsSourceByCertificateAndThisWorkloadAsDestination() {
    long start = inbound.now();
    nanos.addAndGet(7_000_000);
    inbound.record(start, "inbound|8080||catalog.shop.svc.cluster.local", "spiffe://cluster.local/ns/web/sa/frontend",
        "spiffe://cluster.local/ns/shop/sa/catalog", RequestLabels.GRPC, 200, 0, ResponseFlags.NONE, 12, 40);

    Counter requests = registry.get("istio_requests").tags("reporter", "destination",
        "source_principal", "cluster.local/ns/web/sa/frontend", "source_workload_namespace", "web",
        "source_workload", "unknown", "destination_workload", "catalog-v1", "destination_app", "catalog",
        "destination_principal", "cluster.local/ns/shop/sa/catalog",
        "destination_service", "catalog.shop.svc.cluster.local", "destination_service_name", "catalog",
        "connection_security_policy", "mutual_tls", "grpc_response_status", "0", "response_flags", "-").counter();
    assertThat(requests.count()).isEqualTo(1);
    assertThat(registry.get("istio_request_duration_milliseconds").tags(requests.getId().getTags()).summary()
        .totalAmount()).isEqualTo(7.0);
  }

  @Test
  void plainTextIsSecurityPolicyNoneWithAnUnknownSource() {
    inbound.record(inbound.now(), "catalog.shop.svc.cluster.local", null, null, RequestLabels.HTTP, 503, -1,
        ResponseFlags.DC, 0, 0);

    assertThat(registry.get("istio_requests").tags("connection_security_policy", "none", "source_principal",
        "unknown", "destination_principal", "unknown", "response_flags", "DC", "grpc_response_status", "",
        "response_code", "503").counter().count()).isEqualTo(1);
  }
}

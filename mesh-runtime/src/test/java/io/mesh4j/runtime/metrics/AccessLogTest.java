package io.mesh4j.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.policy.AttemptFailure;
import io.mesh4j.runtime.view.InMemoryRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AccessLogTest {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final AtomicLong nanos = new AtomicLong();
  private final OutboundMetrics observe = new OutboundMetrics(null, null, new AccessLog(lines::add),
      WorkloadLabels.ALL_UNKNOWN, nanos::get);

  @Test
  void aRetriedRequestIsOneLineInEnvoysFormatWithTheUpstreamHostClusterAndAttempts() {
    OutboundCall call = observe.start("http", request());
    call.routed("outbound|8080||catalog.shop.svc.cluster.local", 0);
    call.attempt(new LbEndpoint("10.0.0.1", 8080, 1, true), 1);
    call.attemptFailed(AttemptFailure.CONNECT_FAILURE);
    call.attempt(new LbEndpoint("10.0.0.2", 8080, 1, true), 2);
    call.addResponseBytes(27);
    nanos.addAndGet(12_000_000);
    call.answered(200, -1);
    call.answered(200, -1); // recorded once

    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).matches("\\[\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\\] \"GET /items\\?page=2 HTTP/1.1\" 200 - 0 27 12 - "
        + "\"-\" \"okhttp/5\" \"req-1\" \"catalog:8080\" \"10.0.0.2:8080\" "
        + "outbound\\|8080\\|\\|catalog.shop.svc.cluster.local attempts=2");
  }

  @Test
  void aRefusalCarriesItsStatusAndFlag() {
    OutboundCall call = observe.start("http", request());
    call.failed(new MeshRoutingException(MeshRoutingException.Reason.NO_ROUTE, "nothing matches"), -1);

    assertThat(lines).singleElement().asString().contains("\" 404 NR 0 0 0 - ").endsWith("\"-\" - attempts=0");
  }

  private static InMemoryRequest request() {
    return InMemoryRequest.get("catalog:8080", "/items?page=2").header("user-agent", "okhttp/5")
        .header("x-request-id", "req-1");
  }
}

package io.mesh4j.runtime.filter.fault;

import io.mesh4j.runtime.filter.FilterConfig;
import io.mesh4j.runtime.matcher.HeaderConditions;
import java.util.Objects;
import java.util.Set;

/**
 * A decoded {@code envoy.extensions.filters.http.fault.v3.HTTPFault}, base config or per-route override (an override
 * replaces the base config entirely, as in Envoy).
 *
 * @param delay the delay fault, or null
 * @param abort the abort fault, or null
 * @param upstreamCluster only requests routed to this cluster are faulted; "" for any
 * @param headers only requests matching all of these are faulted
 * @param downstreamNodes when not empty, only requests whose {@code x-envoy-downstream-service-node} is one of these
 * @param maxActiveFaults no new fault once this many are in flight; -1 for unlimited (Envoy's default)
 */
public record FaultConfig(
    Delay delay,
    Abort abort,
    String upstreamCluster,
    HeaderConditions headers,
    Set<String> downstreamNodes,
    long maxActiveFaults)
    implements FilterConfig {

  public FaultConfig {
    Objects.requireNonNull(upstreamCluster, "upstreamCluster");
    Objects.requireNonNull(headers, "headers");
    downstreamNodes = Set.copyOf(downstreamNodes);
  }

  @Override
  public String typeUrl() {
    return FaultFilterProvider.TYPE_URL;
  }

  /**
   * {@code delay}: a fixed delay, or (when {@code fromHeader}) the milliseconds of {@code x-envoy-fault-delay-request},
   * whose percentage may be lowered by {@code x-envoy-fault-delay-request-percentage}.
   */
  public record Delay(long fixedDelayNanos, boolean fromHeader, Percentage percentage) {
    public Delay {
      Objects.requireNonNull(percentage, "percentage");
    }
  }

  /**
   * {@code abort}: an HTTP status, a gRPC status (0 = not set is represented by -1), or (when {@code fromHeader}) the
   * statuses of {@code x-envoy-fault-abort-request} / {@code x-envoy-fault-abort-grpc-request}.
   */
  public record Abort(int httpStatus, int grpcStatus, boolean fromHeader, Percentage percentage) {
    public Abort {
      Objects.requireNonNull(percentage, "percentage");
    }
  }
}

package io.mesh4j.runtime.filter.fault;

import io.mesh4j.runtime.view.RequestView;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Decides the faults of one request from the {@link FaultConfig} that applies to it, in Envoy's order: upstream
 * cluster, downstream nodes and header conditions must match; no new fault once {@code max_active_faults} are active;
 * then the delay and the abort are each drawn against their own percentage.
 *
 * <p>One counter of active faults serves every listener of the engine (grpc-java keeps one per process; Envoy one
 * per stat prefix, which istiod makes the same for all outbound listeners). It is not reset by config updates.
 */
public final class FaultInjector {
  private final LongSupplier random;
  private final AtomicLong activeFaults = new AtomicLong();

  /** @param random uniformly distributed non-negative numbers, one per percentage drawn */
  public FaultInjector(LongSupplier random) {
    this.random = random;
  }

  /**
   * @param cluster the cluster the route chose, or null when the route does not forward (redirect, direct response)
   * @return the faults to inject, already counted as active, or null for none
   */
  public InjectedFault evaluate(FaultConfig config, RequestView request, String cluster) {
    if (!config.upstreamCluster().isEmpty() && !config.upstreamCluster().equals(cluster)) {
      return null;
    }
    if (!config.downstreamNodes().isEmpty()) {
      String node = request.header(FaultHeaders.DOWNSTREAM_NODE);
      if (node == null || !config.downstreamNodes().contains(node)) {
        return null;
      }
    }
    if (!config.headers().matches(request)) {
      return null;
    }
    if (config.delay() == null && config.abort() == null) {
      return null;
    }
    if (config.maxActiveFaults() >= 0 && activeFaults.get() >= config.maxActiveFaults()) {
      return null;
    }
    long delayNanos = delayNanos(config.delay(), request);
    AbortStatus abort = abort(config.abort(), request);
    if (delayNanos == 0 && abort == null) {
      return null;
    }
    activeFaults.incrementAndGet();
    return new InjectedFault(delayNanos, abort, activeFaults);
  }

  /** Faults in flight now, for tests and status. */
  public long activeFaults() {
    return activeFaults.get();
  }

  private long delayNanos(FaultConfig.Delay delay, RequestView request) {
    if (delay == null) {
      return 0;
    }
    Percentage percentage =
        delay.fromHeader() ? delay.percentage().cappedBy(request.header(FaultHeaders.DELAY_PERCENTAGE)) : delay.percentage();
    if (!percentage.sample(random.getAsLong())) {
      return 0;
    }
    if (!delay.fromHeader()) {
      return delay.fixedDelayNanos();
    }
    long millis = FaultHeaders.parseUnsigned(request.header(FaultHeaders.DELAY));
    return millis <= 0 ? 0 : millis * 1_000_000L;
  }

  private AbortStatus abort(FaultConfig.Abort abort, RequestView request) {
    if (abort == null) {
      return null;
    }
    Percentage percentage =
        abort.fromHeader() ? abort.percentage().cappedBy(request.header(FaultHeaders.ABORT_PERCENTAGE)) : abort.percentage();
    if (!percentage.sample(random.getAsLong())) {
      return null;
    }
    int http = abort.httpStatus();
    int grpc = abort.grpcStatus();
    if (abort.fromHeader()) {
      long h = FaultHeaders.parseUnsigned(request.header(FaultHeaders.ABORT));
      http = h >= 200 && h < 600 ? (int) h : -1;
      long g = FaultHeaders.parseUnsigned(request.header(FaultHeaders.ABORT_GRPC));
      grpc = (int) g;
    }
    if (http > 0) {
      return new AbortStatus(http, -1); // an HTTP status wins; the gRPC one is ignored (Envoy, gRPC)
    }
    if (grpc >= 0) {
      return new AbortStatus(200, grpc);
    }
    return null;
  }
}

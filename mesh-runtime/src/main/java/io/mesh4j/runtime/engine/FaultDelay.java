package io.mesh4j.runtime.engine;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.runtime.config.TargetConfig;
import io.mesh4j.runtime.filter.fault.InjectedFault;
import io.mesh4j.runtime.view.RequestView;
import io.mesh4j.runtime.route.Route;
import java.time.Duration;

/**
 * An injected fault delay the request must wait out before routing goes on; the transport waits (a timer for
 * asynchronous calls, never a sleeping thread there) and then calls exactly one of {@link #resume()},
 * {@link #routeTimedOut()} or {@link #abandon()}. As in gRPC and Envoy the delay counts against the route timeout:
 * when {@link #waitNanos()} is shorter than the delay, the wait ends at the route timeout.
 *
 * <p>Until then the fault counts as active ({@code max_active_faults}).
 */
public final class FaultDelay implements RouteStep {
  private final MeshEngine engine;
  private final TargetConfig.Routed config;
  private final Route route;
  private final String clusterName;
  private final InjectedFault fault;
  private final RequestView request;
  private final String target;

  FaultDelay(MeshEngine engine, String target, TargetConfig.Routed config, Route route, String clusterName, InjectedFault fault,
      RequestView request) {
    this.engine = engine;
    this.target = target;
    this.config = config;
    this.route = route;
    this.clusterName = clusterName;
    this.fault = fault;
    this.request = request;
  }

  /** The injected delay. */
  public long delayNanos() {
    return fault.delayNanos();
  }

  /** How long to wait: the delay, or the route timeout when the delay reaches it. */
  public long waitNanos() {
    return reachesRouteTimeout() ? route.timeout().toNanos() : fault.delayNanos();
  }

  /** Whether the wait ends at the route timeout ({@link #routeTimedOut()}) rather than at the delay. */
  public boolean reachesRouteTimeout() {
    long timeout = route.timeout().toNanos();
    return timeout > 0 && fault.delayNanos() >= timeout;
  }

  /**
   * The delay has passed: routing goes on (an abort, a local answer, or a decision carrying the fault, whose
   * {@link RoutingDecision#faultDelayNanos()} is the delay).
   */
  public RoutingDecision resume() throws MeshRoutingException {
    return engine.afterDelay(config, route, clusterName, fault, request);
  }

  /** The wait reached the route timeout: {@code UPSTREAM_TIMEOUT} (504 UT); the fault is released. */
  public MeshRoutingException routeTimedOut() {
    fault.release();
    return new MeshRoutingException(Reason.UPSTREAM_TIMEOUT, target + ": the injected fault delay of "
        + Duration.ofNanos(fault.delayNanos()) + " reached the route timeout " + route.timeout());
  }

  /** The request ended during the wait (cancelled, or the caller's deadline): the fault is released. */
  public void abandon() {
    fault.release();
  }
}

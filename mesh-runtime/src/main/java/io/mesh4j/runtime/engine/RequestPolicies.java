package io.mesh4j.runtime.engine;

import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.filter.FilterConfig;
import io.mesh4j.runtime.filter.FilterOverrides;
import io.mesh4j.runtime.filter.HttpFilterConfig;
import io.mesh4j.runtime.filter.fault.AbortStatus;
import io.mesh4j.runtime.filter.fault.FaultConfig;
import io.mesh4j.runtime.filter.fault.FaultInjector;
import io.mesh4j.runtime.filter.fault.InjectedFault;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.policy.Sleeper;
import io.mesh4j.runtime.route.DirectResponseAction;
import io.mesh4j.runtime.route.HeaderMutations;
import io.mesh4j.runtime.route.RedirectAction;
import io.mesh4j.runtime.route.RequestView;
import io.mesh4j.runtime.route.Route;
import io.mesh4j.runtime.route.RouteAction;
import io.mesh4j.runtime.route.WeightedClustersAction;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** The engine's HTTP filter and local-reply steps, before a request is forwarded. */
final class RequestPolicies {
  private static final byte[] ABORT_BODY = AbortStatus.BODY.getBytes(StandardCharsets.UTF_8);

  private final FaultInjector faults;
  private final PolicyEnvironment environment;

  RequestPolicies(FaultInjector faults, PolicyEnvironment environment) {
    this.faults = faults;
    this.environment = environment;
  }

  /**
   * Runs the listener's filters (the fault filter) with the most specific config for the request: weighted cluster,
   * then route, then virtual host overrides, then the filter's base config. Returns the first fault injected (counted
   * as active), or null.
   */
  InjectedFault evaluateFilters(
      List<HttpFilterConfig> filters, Route route, long draw, String cluster, RequestView request) {
    if (filters.isEmpty()) {
      return null;
    }
    RouteAction action = route.action();
    FilterOverrides weighted =
        action instanceof WeightedClustersAction w ? w.select(w.draw(draw, request)).filterOverrides() : FilterOverrides.NONE;
    for (HttpFilterConfig filter : filters) {
      FilterConfig config =
          FilterOverrides.mostSpecific(filter, weighted, route.filterOverrides(), route.virtualHostFilterOverrides());
      if (config instanceof FaultConfig fault) {
        InjectedFault injected = faults.evaluate(fault, request, cluster);
        if (injected != null) {
          return injected;
        }
      }
    }
    return null;
  }

  /**
   * Sleeps for the fault's delay. As in gRPC, the delay counts against the route's timeout: a delay that reaches it
   * ends at the timeout with UPSTREAM_TIMEOUT (504 UT).
   *
   * @return the nanoseconds slept
   */
  long delay(String target, InjectedFault fault, Route route) throws MeshRoutingException, InterruptedIOException {
    return delay(target, fault, route, environment.sleeper());
  }

  /**
   * {@link #delay(String, InjectedFault, Route)} waited out by the transport's {@code wait}, which may end it early
   * (the caller's deadline or a cancel) by throwing.
   */
  long delay(String target, InjectedFault fault, Route route, Sleeper wait)
      throws MeshRoutingException, InterruptedIOException {
    long delay = fault.delayNanos();
    long timeout = route.timeout().toNanos();
    boolean timesOut = timeout > 0 && delay >= timeout;
    long sleep = timesOut ? timeout : delay;
    // By default the same injected sleeper as the retry back-off: one notion of waiting, replaced as a whole in tests.
    wait.sleep(sleep);
    if (timesOut) {
      throw new MeshRoutingException(Reason.UPSTREAM_TIMEOUT, target + ": the injected fault delay of "
          + Duration.ofNanos(delay) + " reached the route timeout " + route.timeout());
    }
    return sleep;
  }

  static LocalReply abort(AbortStatus abort) {
    return new LocalReply(abort.httpStatus(), null, "text/plain", ABORT_BODY, HeaderMutations.NONE, "FI",
        abort.grpcStatusForGrpcCall());
  }

  /** The answer of a redirect or direct-response route, or null for a forwarding route. */
  static LocalReply answer(Route route, RequestView request) {
    RouteAction action = route.action();
    if (action instanceof RedirectAction redirect) {
      return new LocalReply(redirect.status(), redirect.location(request), null, new byte[0],
          route.shaping().responseHeaders(), "", -1);
    }
    if (action instanceof DirectResponseAction direct) {
      int status = direct.status();
      // Envoy adds a Location, the request's own URL, to 201 and 3xx direct responses (RFC 7231 7.1.2).
      String location = status == 201 || (status >= 300 && status < 400) ? ownUrl(request) : null;
      byte[] body = direct.body();
      return new LocalReply(status, location, body.length == 0 ? null : "text/plain", body,
          route.shaping().responseHeaders(), "", -1);
    }
    return null;
  }

  private static String ownUrl(RequestView request) {
    String scheme = request.header(":scheme");
    return (scheme == null ? "http" : scheme) + "://" + request.authority() + request.path();
  }
}

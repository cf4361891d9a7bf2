package io.mesh4j.runtime.server;

import io.mesh4j.runtime.filter.FilterConfig;
import io.mesh4j.runtime.filter.FilterOverrides;
import io.mesh4j.runtime.filter.HttpFilterConfig;
import io.mesh4j.runtime.inbound.InboundChain;
import io.mesh4j.runtime.inbound.InboundFilterConfig;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.inbound.ServerTls;
import io.mesh4j.runtime.route.DirectResponseAction;
import io.mesh4j.runtime.route.NonForwardingAction;
import io.mesh4j.runtime.route.RedirectAction;
import io.mesh4j.runtime.route.Route;
import io.mesh4j.runtime.route.RouteAction;
import io.mesh4j.runtime.route.RouteTable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One filter chain of a server listener at run time: its TLS and its HttpConnectionManager. A request is handled in
 * Envoy's order: its route is selected first (so filters get the route's {@code typed_per_filter_config}), then the
 * HTTP filters run in order and the first reply ends it, then the router: a {@code non_forwarding_action} route lets
 * the request through to the application; no route answers 404 (Envoy's NR); a direct response or a redirect
 * answers itself; a route that would forward to a cluster answers 503 (gRPC UNAVAILABLE, the status grpc-java's
 * server closes such calls with), since there is nothing to forward to in-process.
 */
final class HcmChain implements InboundChain {
  /** The body (and gRPC status description) for a server route with a forwarding action. */
  static final String FORWARDING_ROUTE =
      "the matching route forwards to a cluster; a server listener's routes must use non_forwarding_action";

  private final String name;
  private final ServerTls tls;
  private final RouteTable routes;
  private final String missingRoutes;
  private final HttpFilterConfig[] filters;

  /**
   * @param routes the chain's route table, or null when its RDS resource does not exist
   * @param missingRoutes why {@code routes} is null, for the log
   */
  HcmChain(String name, ServerTls tls, RouteTable routes, String missingRoutes, List<HttpFilterConfig> filters) {
    this.name = name;
    this.tls = tls;
    this.routes = routes;
    this.missingRoutes = missingRoutes;
    this.filters = filters.toArray(new HttpFilterConfig[0]);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ServerTls tls() {
    return tls;
  }

  RouteTable routes() {
    return routes;
  }

  @Override
  public InboundReply handle(InboundRequest request) {
    Route route = routes == null ? null : routes.select(request);
    for (HttpFilterConfig filter : filters) {
      FilterConfig config = route == null
          ? filter.config()
          : FilterOverrides.mostSpecific(filter, FilterOverrides.NONE, route.filterOverrides(),
              route.virtualHostFilterOverrides());
      if (config != filter.config() && config != null && filter.config() instanceof InboundFilterConfig base) {
        // Some overrides only select part of the listener's config (jwt_authn's requirement_name).
        config = base.withRouteOverride(config);
      }
      if (config instanceof InboundFilterConfig inbound) {
        InboundReply reply = inbound.onRequest(request);
        if (reply != null) {
          return reply;
        }
      }
    }
    if (route == null) {
      return new InboundReply(404, "", Map.of(), routes == null ? missingRoutes
          : "NR: no route for authority '" + request.authority() + "' path '" + request.path() + "' (chain '" + name
              + "')");
    }
    RouteAction action = route.action();
    if (action == NonForwardingAction.INSTANCE) {
      return null;
    }
    if (action instanceof DirectResponseAction direct) {
      return new InboundReply(direct.status(), new String(direct.body(), StandardCharsets.UTF_8), Map.of(),
          "direct response of route '" + route.name() + "'");
    }
    if (action instanceof RedirectAction redirect) {
      return new InboundReply(redirect.status(), "", Map.of("location", redirect.location(request)),
          "redirect of route '" + route.name() + "'");
    }
    return new InboundReply(503, FORWARDING_ROUTE, Map.of(), "route '" + route.name() + "' forwards to a cluster");
  }

  @Override
  public String toString() {
    return "HcmChain{" + name + (tls == null ? ", plaintext" : ", tls") + "}";
  }
}

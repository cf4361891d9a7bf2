package io.mesh4j.runtime.route;

import io.mesh4j.runtime.filter.FilterOverrides;
import io.mesh4j.runtime.matcher.RouteMatcher;
import io.mesh4j.runtime.policy.RetryPolicy;
import io.mesh4j.runtime.policy.RoutePolicy;
import java.time.Duration;
import java.util.Objects;

/** One compiled route: its matcher, its action, and what applies to requests it takes. Immutable. */
public final class Route {
  /** Envoy's default when {@code route.timeout} is unset. */
  public static final Duration DEFAULT_TIMEOUT = RoutePolicy.DEFAULT_TIMEOUT;

  private final String name;
  private final RouteMatcher matcher;
  private final RouteAction action;
  private final RoutePolicy policy;
  private final RouteExtras extras;
  private final HashPolicy hashPolicy;

  /**
   * The route of a request sent to {@code cluster} by name rather than through a route table (a JWKS fetch to
   * {@code http_uri.cluster}): every request, to that cluster, under {@code policy}, with no rewrites or filters.
   */
  public static Route toCluster(String cluster, RoutePolicy policy) {
    return new Route("", RouteMatcher.ANY, new ClusterAction(cluster), policy);
  }

  Route(String name, RouteMatcher matcher, RouteAction action, RoutePolicy policy) {
    this(name, matcher, action, policy, RouteExtras.NONE, HashPolicy.NONE);
  }

  Route(
      String name,
      RouteMatcher matcher,
      RouteAction action,
      RoutePolicy policy,
      RouteExtras extras,
      HashPolicy hashPolicy) {
    this.name = Objects.requireNonNull(name, "name");
    this.matcher = Objects.requireNonNull(matcher, "matcher");
    this.action = Objects.requireNonNull(action, "action");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.extras = Objects.requireNonNull(extras, "extras");
    this.hashPolicy = Objects.requireNonNull(hashPolicy, "hashPolicy");
  }

  /** The route's {@code name}, or "" when unset. */
  public String name() {
    return name;
  }

  public RouteAction action() {
    return action;
  }

  /**
   * {@code route.timeout}: {@link #DEFAULT_TIMEOUT} when unset, {@link Duration#ZERO} when disabled ({@code 0s}, what
   * istiod sends by default).
   */
  public Duration timeout() {
    return Duration.ofNanos(policy.timeoutNanos());
  }

  /** The compiled retry policy: the route's, else its virtual host's, or null. */
  public RetryPolicy retryPolicy() {
    return policy.retry();
  }

  /** Timeouts, retries and the attempt-count header, as the attempt loop applies them. */
  public RoutePolicy policy() {
    return policy;
  }

  /** {@code route.hash_policy}, compiled; {@link HashPolicy#NONE} when unset. */
  public HashPolicy hashPolicy() {
    return hashPolicy;
  }

  /** Path and host rewrites and header mutations (of this route, its virtual host and its route configuration). */
  public RequestShaping shaping() {
    return extras.shaping();
  }

  /** This route's {@code typed_per_filter_config}. */
  public FilterOverrides filterOverrides() {
    return extras.routeFilters();
  }

  /** Its virtual host's {@code typed_per_filter_config}. */
  public FilterOverrides virtualHostFilterOverrides() {
    return extras.virtualHostFilters();
  }

  RouteMatcher matcher() {
    return matcher;
  }

  @Override
  public String toString() {
    return "Route{" + (name.isEmpty() ? "" : name + ", ") + action + "}";
  }
}

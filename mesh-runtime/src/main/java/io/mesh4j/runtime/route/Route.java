package io.mesh4j.runtime.route;

import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.mesh4j.runtime.filter.FilterOverrides;
import java.time.Duration;
import java.util.Objects;

/** One compiled route: its matcher and its action. Immutable. */
public final class Route {
  /** Envoy's default when {@code route.timeout} is unset. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  private final String name;
  private final RouteMatcher matcher;
  private final RouteAction action;
  private final Duration timeout;
  private final RetryPolicy retryPolicy;
  private final RouteExtras extras;
  private final HashPolicy hashPolicy;

  Route(String name, RouteMatcher matcher, RouteAction action, Duration timeout, RetryPolicy retryPolicy) {
    this(name, matcher, action, timeout, retryPolicy, RouteExtras.NONE, HashPolicy.NONE);
  }

  Route(
      String name,
      RouteMatcher matcher,
      RouteAction action,
      Duration timeout,
      RetryPolicy retryPolicy,
      RouteExtras extras,
      HashPolicy hashPolicy) {
    this.extras = Objects.requireNonNull(extras, "extras");
    this.name = Objects.requireNonNull(name, "name");
    this.matcher = Objects.requireNonNull(matcher, "matcher");
    this.action = Objects.requireNonNull(action, "action");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.retryPolicy = retryPolicy;
    this.hashPolicy = Objects.requireNonNull(hashPolicy, "hashPolicy");
  }

  /** {@code route.hash_policy}, compiled; {@link HashPolicy#NONE} when unset. */
  public HashPolicy hashPolicy() {
    return hashPolicy;
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
   * istiod sends by default). Decoded for the timeout work; the data path does not enforce it yet.
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * {@code route.retry_policy} as received (not compiled, not validated beyond the proto), or null. Kept for the
   * retry work; the data path does not retry yet.
   */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
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

  boolean matches(MatchInput input) {
    return matcher.matches(input);
  }

  @Override
  public String toString() {
    return "Route{" + (name.isEmpty() ? "" : name + ", ") + action + "}";
  }
}

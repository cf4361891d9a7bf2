package io.mesh4j.runtime.route;

import io.mesh4j.runtime.policy.RetryPolicy;
import io.mesh4j.runtime.policy.RoutePolicy;
import java.time.Duration;
import java.util.Objects;

/** One compiled route: its matcher and its action. Immutable. */
public final class Route {
  /** Envoy's default when {@code route.timeout} is unset. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  private final String name;
  private final RouteMatcher matcher;
  private final RouteAction action;
  private final RoutePolicy policy;

  Route(String name, RouteMatcher matcher, RouteAction action, RoutePolicy policy) {
    this.name = Objects.requireNonNull(name, "name");
    this.matcher = Objects.requireNonNull(matcher, "matcher");
    this.action = Objects.requireNonNull(action, "action");
    this.policy = Objects.requireNonNull(policy, "policy");
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

  boolean matches(MatchInput input) {
    return matcher.matches(input);
  }

  @Override
  public String toString() {
    return "Route{" + (name.isEmpty() ? "" : name + ", ") + action + "}";
  }
}

package io.mesh4j.runtime.route;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.mesh4j.runtime.view.InMemoryRequest;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.List;

/** Terse builders for RouteConfiguration protos in tests; tables are always compiled by the real decoder. */
public final class RouteProtos {
  private RouteProtos() {}

  public static RouteTable decode(RouteConfiguration config) {
    try {
      return RouteConfigurationType.decodeRouteConfiguration(config, DecodeContext.discarding());
    } catch (ResourceInvalidException e) {
      throw new AssertionError("decoding failed: " + e.getMessage(), e);
    }
  }

  /** One virtual host for {@code *} with the given routes. */
  public static RouteTable table(Route... routes) {
    return decode(config(vhost("all", List.of("*"), routes)));
  }

  public static RouteConfiguration config(VirtualHost... hosts) {
    return RouteConfiguration.newBuilder().setName("test-routes").addAllVirtualHosts(List.of(hosts)).build();
  }

  public static VirtualHost vhost(String name, List<String> domains, Route... routes) {
    return VirtualHost.newBuilder().setName(name).addAllDomains(domains).addAllRoutes(List.of(routes)).build();
  }

  public static Route route(String cluster, RouteMatch match) {
    return route(cluster, match.toBuilder());
  }

  public static Route route(String cluster, RouteMatch.Builder match) {
    return Route.newBuilder()
        .setName(cluster)
        .setMatch(match)
        .setRoute(RouteAction.newBuilder().setCluster(cluster))
        .build();
  }

  public static RouteMatch.Builder prefix(String prefix) {
    return RouteMatch.newBuilder().setPrefix(prefix);
  }

  public static RouteMatch.Builder path(String path) {
    return RouteMatch.newBuilder().setPath(path);
  }

  public static RouteMatch.Builder regexPath(String regex) {
    return RouteMatch.newBuilder().setSafeRegex(regex(regex));
  }

  public static RouteMatch.Builder separatedPrefix(String prefix) {
    return RouteMatch.newBuilder().setPathSeparatedPrefix(prefix);
  }

  public static RouteMatch.Builder caseInsensitive(RouteMatch.Builder match) {
    return match.setCaseSensitive(BoolValue.of(false));
  }

  public static RegexMatcher regex(String regex) {
    return RegexMatcher.newBuilder().setRegex(regex).build();
  }

  public static HeaderMatcher.Builder header(String name) {
    return HeaderMatcher.newBuilder().setName(name);
  }

  public static StringMatcher.Builder exact(String value) {
    return StringMatcher.newBuilder().setExact(value);
  }

  public static QueryParameterMatcher.Builder query(String name) {
    return QueryParameterMatcher.newBuilder().setName(name);
  }

  public static WeightedCluster.ClusterWeight weighted(String name, int weight) {
    return WeightedCluster.ClusterWeight.newBuilder().setName(name).setWeight(UInt32Value.of(weight)).build();
  }

  public static Route weightedRoute(WeightedCluster.ClusterWeight... clusters) {
    return Route.newBuilder()
        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(
            RouteAction.newBuilder().setWeightedClusters(WeightedCluster.newBuilder().addAllClusters(List.of(clusters))))
        .build();
  }

  /** The cluster a request is routed to, or null when no route matches. */
  public static String clusterFor(RouteTable table, InMemoryRequest request) {
    io.mesh4j.runtime.route.Route route = table.select(request, 0);
    return route == null ? null : route.action().selectCluster(0);
  }
}

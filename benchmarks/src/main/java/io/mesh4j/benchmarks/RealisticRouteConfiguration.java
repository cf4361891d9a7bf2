package io.mesh4j.benchmarks;

import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import com.google.protobuf.UInt32Value;

/**
 * A route table shaped like a busy mesh's: many services, each with feature-branch routes selected by header and
 * path, a regex route and a weighted default (a canary).
 */
final class RealisticRouteConfiguration {
  private RealisticRouteConfiguration() {}

  static String host(int service) {
    return "svc-" + service + ".shop.svc.cluster.local";
  }

  static RouteConfiguration build(int virtualHosts, int routesPerHost) {
    RouteConfiguration.Builder config = RouteConfiguration.newBuilder().setName("bench-routes");
    for (int v = 0; v < virtualHosts; v++) {
      VirtualHost.Builder vhost = VirtualHost.newBuilder()
          .setName("vh-" + v)
          .addDomains(host(v))
          .addDomains(host(v) + ":8080")
          .addDomains("svc-" + v);
      for (int r = 0; r < routesPerHost - 2; r++) {
        vhost.addRoutes(Route.newBuilder()
            .setMatch(RouteMatch.newBuilder()
                .setPrefix("/api/v" + r + "/")
                .addHeaders(HeaderMatcher.newBuilder()
                    .setName("x-feature")
                    .setStringMatch(StringMatcher.newBuilder().setExact("branch-" + r))))
            .setRoute(RouteAction.newBuilder().setCluster("svc-" + v + "-branch-" + r)));
      }
      vhost.addRoutes(Route.newBuilder()
          .setMatch(RouteMatch.newBuilder()
              .setSafeRegex(RegexMatcher.newBuilder().setRegex("/admin/[a-z]+/[0-9]+")))
          .setRoute(RouteAction.newBuilder().setCluster("svc-" + v + "-admin")));
      vhost.addRoutes(Route.newBuilder()
          .setMatch(RouteMatch.newBuilder().setPrefix("/"))
          .setRoute(RouteAction.newBuilder().setWeightedClusters(WeightedCluster.newBuilder()
              .addClusters(WeightedCluster.ClusterWeight.newBuilder()
                  .setName("svc-" + v + "-v1").setWeight(UInt32Value.of(90)))
              .addClusters(WeightedCluster.ClusterWeight.newBuilder()
                  .setName("svc-" + v + "-v2").setWeight(UInt32Value.of(10))))));
      config.addVirtualHosts(vhost);
    }
    return config.build();
  }
}

package io.mesh4j.runtime.testing;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;

/** Builds the protos a control plane typically sends a proxyless client, for tests. */
public final class XdsResources {
  public static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  public static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  public static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  public static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  private XdsResources() {}

  /** The router filter, which must end every HCM filter chain. */
  public static HttpFilter routerFilter() {
    return HttpFilter.newBuilder()
        .setName("envoy.filters.http.router")
        .setTypedConfig(Any.pack(Router.getDefaultInstance()))
        .build();
  }

  /** A ConfigSource that says "over the same ADS stream". */
  public static ConfigSource ads() {
    return ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();
  }

  /** An HCM taking its routes from RDS, ending with the router. */
  public static HttpConnectionManager rdsHcm(String routeConfigName) {
    return HttpConnectionManager.newBuilder()
        .setRds(Rds.newBuilder().setRouteConfigName(routeConfigName).setConfigSource(ads()))
        .addHttpFilters(routerFilter())
        .build();
  }

  /** An API listener (what a proxyless client subscribes to for {@code host:port}) wrapping {@code hcm}. */
  public static Listener apiListener(String name, HttpConnectionManager hcm) {
    return Listener.newBuilder()
        .setName(name)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
        .build();
  }

  /** An API listener whose routes come from RDS resource {@code routeConfigName}. */
  public static Listener apiListener(String name, String routeConfigName) {
    return apiListener(name, rdsHcm(routeConfigName));
  }

  /** One virtual host for {@code domain} with one prefix-"/" route to {@code cluster}. */
  public static RouteConfiguration routeConfig(String name, String domain, String cluster) {
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName(domain)
                .addDomains(domain)
                .addRoutes(
                    Route.newBuilder()
                        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRoute(RouteAction.newBuilder().setCluster(cluster))))
        .build();
  }

  /** An EDS cluster, round robin, endpoints over ADS under the cluster's own name. */
  public static Cluster edsCluster(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads()))
        .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
        .build();
  }

  /** A CLA with one locality (region r1, zone z1) holding {@code hostPorts} like {@code "10.0.0.1:8080"}. */
  public static ClusterLoadAssignment cla(String clusterName, String... hostPorts) {
    LocalityLbEndpoints.Builder locality =
        LocalityLbEndpoints.newBuilder()
            .setLocality(Locality.newBuilder().setRegion("r1").setZone("z1"))
            .setLoadBalancingWeight(UInt32Value.of(1));
    for (String hostPort : hostPorts) {
      int colon = hostPort.lastIndexOf(':');
      locality.addLbEndpoints(endpoint(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))));
    }
    return ClusterLoadAssignment.newBuilder().setClusterName(clusterName).addEndpoints(locality).build();
  }

  /** A healthy-by-default endpoint at {@code ip:port}. */
  public static LbEndpoint endpoint(String ip, int port) {
    return LbEndpoint.newBuilder()
        .setEndpoint(
            Endpoint.newBuilder()
                .setAddress(
                    Address.newBuilder()
                        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))))
        .build();
  }
}

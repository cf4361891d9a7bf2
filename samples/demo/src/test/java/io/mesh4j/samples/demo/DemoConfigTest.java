package io.mesh4j.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster.ClusterWeight;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.mesh4j.samples.controlplane.LocalControlPlane;
import io.mesh4j.samples.controlplane.ResourceSet;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The configuration shipped in samples/demo/config loads and says what the README says it does. */
class DemoConfigTest {
  private static LocalControlPlane controlPlane;
  private static ResourceSet resources;

  @BeforeAll
  static void load() throws Exception {
    Path config = ConfigDirectory.find(Path.of("")).orElseThrow();
    controlPlane = LocalControlPlane.start(config, 0);
    resources = controlPlane.resources();
  }

  @AfterAll
  static void stop() {
    controlPlane.close();
  }

  @Test
  void theListenerIsAnApiListenerForTheCatalogHostUsingRdsOverAds() throws Exception {
    HttpConnectionManager hcm = resources.listeners().get("catalog.shop.svc.cluster.local:8080")
        .getApiListener().getApiListener().unpack(HttpConnectionManager.class);

    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo(MeshDemo.ROUTES_NAME);
    assertThat(hcm.getRds().getConfigSource().hasAds()).isTrue();
    assertThat(hcm.getHttpFilters(hcm.getHttpFiltersCount() - 1).getTypedConfig().is(Router.class)).isTrue();
  }

  @Test
  void newSearchGoesToV2AndTheRestIsSplitNinetyTen() {
    RouteConfiguration routes = resources.routes().get(MeshDemo.ROUTES_NAME);
    VirtualHost host = routes.getVirtualHosts(0);

    assertThat(host.getDomainsList())
        .containsExactly("catalog.shop.svc.cluster.local", "catalog.shop.svc.cluster.local:8080");
    Route newSearch = host.getRoutes(0);
    assertThat(newSearch.getMatch().getHeaders(0).getName()).isEqualTo(MeshDemo.FEATURE_HEADER);
    assertThat(newSearch.getMatch().getHeaders(0).getStringMatch().getExact()).isEqualTo(MeshDemo.FEATURE_VALUE);
    assertThat(newSearch.getRoute().getCluster()).isEqualTo("catalog-v2");
    assertThat(host.getRoutes(1).getRoute().getWeightedClusters().getClustersList())
        .extracting(ClusterWeight::getName, weight -> weight.getWeight().getValue())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("catalog-v1", 90),
            org.assertj.core.groups.Tuple.tuple("catalog-v2", 10));
  }

  @Test
  void clustersAreRoundRobinEdsOverAdsWithLoopbackEndpoints() {
    for (String name : new String[] {"catalog-v1", "catalog-v2"}) {
      Cluster cluster = resources.clusters().get(name);
      assertThat(cluster.getType()).isEqualTo(Cluster.DiscoveryType.EDS);
      assertThat(cluster.getEdsClusterConfig().getEdsConfig().hasAds()).isTrue();
      assertThat(cluster.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    }
    assertThat(port(resources.endpoints().get("catalog-v1"))).isEqualTo(18081);
    assertThat(port(resources.endpoints().get("catalog-v2"))).isEqualTo(18082);
  }

  private static int port(ClusterLoadAssignment assignment) {
    var address = assignment.getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress();
    assertThat(address.getAddress()).isEqualTo("127.0.0.1");
    return address.getPortValue();
  }
}

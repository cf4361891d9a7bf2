package io.mesh4j.samples.controlplane;

import static io.mesh4j.samples.controlplane.AdsClient.CDS;
import static io.mesh4j.samples.controlplane.AdsClient.EDS;
import static io.mesh4j.samples.controlplane.AdsClient.LDS;
import static io.mesh4j.samples.controlplane.AdsClient.RDS;
import static io.mesh4j.samples.controlplane.ConfigFixtures.LISTENER_NAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalControlPlaneTest {
  @TempDir Path dir;
  private LocalControlPlane controlPlane;
  private AdsClient client;

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  @Test
  void servesEveryResourceTypeOverAds() throws Exception {
    ConfigFixtures.writeCatalog(dir, 90, 10);
    controlPlane = LocalControlPlane.start(dir, 0);
    client = new AdsClient(controlPlane.port());

    client.subscribe(LDS, LISTENER_NAME);
    DiscoveryResponse lds = client.next();
    client.subscribe(RDS, "catalog-routes");
    DiscoveryResponse rds = client.next();
    client.subscribe(CDS);
    DiscoveryResponse cds = client.next();
    client.subscribe(EDS, "catalog-v1", "catalog-v2");
    DiscoveryResponse eds = client.next();

    List<Listener> listeners = AdsClient.unpack(lds, Listener.class);
    assertThat(listeners).containsExactly(controlPlane.resources().listeners().get(LISTENER_NAME));
    assertThat(listeners.get(0).getApiListener().getApiListener().unpack(HttpConnectionManager.class)
        .getRds().getRouteConfigName()).isEqualTo("catalog-routes");
    assertThat(AdsClient.unpack(rds, RouteConfiguration.class)).extracting(RouteConfiguration::getName)
        .containsExactly("catalog-routes");
    assertThat(AdsClient.unpack(cds, Cluster.class)).extracting(Cluster::getName)
        .containsExactlyInAnyOrder("catalog-v1", "catalog-v2");
    assertThat(AdsClient.unpack(eds, ClusterLoadAssignment.class)).extracting(ClusterLoadAssignment::getClusterName)
        .containsExactlyInAnyOrder("catalog-v1", "catalog-v2");
    assertThat(List.of(lds, rds, cds, eds)).extracting(DiscoveryResponse::getVersionInfo).containsOnly("1");
    assertThat(controlPlane.version()).isEqualTo("1");
  }

  @Test
  void anEditedFileIsPushedAsANewVersionOfItsTypeOnly() throws Exception {
    ConfigFixtures.writeCatalog(dir, 90, 10);
    controlPlane = LocalControlPlane.start(dir, 0);
    client = new AdsClient(controlPlane.port());
    client.subscribe(RDS, "catalog-routes");
    DiscoveryResponse first = client.next();
    client.ack(first, "catalog-routes");
    client.subscribe(CDS);
    DiscoveryResponse clusters = client.next();
    client.ack(clusters);

    ConfigFixtures.write(dir.resolve("routes.json"), ConfigFixtures.routesJson(50, 50));

    DiscoveryResponse pushed = client.next();
    assertThat(pushed.getTypeUrl()).isEqualTo(RDS);
    assertThat(pushed.getVersionInfo()).isEqualTo("2");
    RouteConfiguration routes = AdsClient.unpack(pushed, RouteConfiguration.class).get(0);
    assertThat(routes.getVirtualHosts(0).getRoutes(0).getRoute().getWeightedClusters().getClustersList())
        .extracting(weight -> weight.getWeight().getValue()).containsExactly(50, 50);
    assertThat(controlPlane.version()).isEqualTo("2");
    assertThat(client.poll(Duration.ofMillis(500))).as("clusters did not change, so they are not sent again").isNull();
  }

  @Test
  void aBrokenFileIsReportedAndThePreviousVersionKeepsServing() throws Exception {
    ConfigFixtures.writeCatalog(dir, 90, 10);
    controlPlane = LocalControlPlane.start(dir, 0);
    client = new AdsClient(controlPlane.port());
    client.subscribe(RDS, "catalog-routes");
    client.ack(client.next(), "catalog-routes");

    ConfigFixtures.write(dir.resolve("routes.json"),
        ConfigFixtures.routesJson(50, 50).replaceFirst("\"weight\": 50", "\"weight\": fifty"));

    assertThatThrownBy(controlPlane::reload)
        .isInstanceOf(ConfigLoadException.class)
        .hasMessage("routes.json: not valid JSON: malformed JSON at line 10 column 42 path"
            + " $.virtual_hosts[0].routes[0].route.weighted_clusters.clusters[0].weight");
    assertThat(controlPlane.lastError()).hasValueSatisfying(error -> assertThat(error).startsWith("routes.json: "));
    assertThat(controlPlane.version()).isEqualTo("1");
    assertThat(client.poll(Duration.ofMillis(1500))).as("nothing is pushed while the files are broken").isNull();
    try (AdsClient newcomer = new AdsClient(controlPlane.port())) {
      newcomer.subscribe(RDS, "catalog-routes");
      DiscoveryResponse served = newcomer.next();
      assertThat(served.getVersionInfo()).isEqualTo("1");
      assertThat(AdsClient.unpack(served, RouteConfiguration.class).get(0).getVirtualHosts(0).getRoutes(0).getRoute()
          .getWeightedClusters().getClusters(0).getWeight().getValue()).isEqualTo(90);
    }

    ConfigFixtures.write(dir.resolve("routes.json"), ConfigFixtures.routesJson(50, 50));

    DiscoveryResponse fixed = client.next();
    assertThat(fixed.getVersionInfo()).isEqualTo("2");
    assertThat(controlPlane.lastError()).isEmpty();
  }

  @Test
  void answersWithTheListenersThatExistWhenSomeDoNot() throws Exception {
    ConfigFixtures.writeCatalog(dir, 90, 10);
    controlPlane = LocalControlPlane.start(dir, 0);
    client = new AdsClient(controlPlane.port());

    client.subscribe(LDS, LISTENER_NAME, "unknown.example.com:80");

    assertThat(AdsClient.unpack(client.next(), Listener.class)).extracting(Listener::getName)
        .containsExactly(LISTENER_NAME);
  }

  @Test
  void reloadWithoutChangesKeepsTheVersion() throws Exception {
    ConfigFixtures.writeCatalog(dir, 90, 10);
    controlPlane = LocalControlPlane.start(dir, 0);

    assertThat(controlPlane.reload()).isEqualTo("1");
    ConfigFixtures.write(dir.resolve("routes.json"), ConfigFixtures.routesJson(80, 20));
    assertThat(controlPlane.reload()).isEqualTo("2");
    assertThat(controlPlane.reload()).isEqualTo("2");
  }

  @Test
  void startFailsOnFilesThatDoNotLoad() throws Exception {
    ConfigFixtures.write(dir.resolve("routes.json"), "{");

    assertThatThrownBy(() -> LocalControlPlane.start(dir, 0))
        .isInstanceOf(ConfigLoadException.class)
        .hasMessageStartingWith("routes.json: not valid JSON");
  }

  @Test
  void bootstrapPointsAGrpcXdsClientAtTheServer() throws Exception {
    controlPlane = LocalControlPlane.start(dir, 0);

    JsonObject bootstrap = JsonParser.parseString(controlPlane.bootstrapJson("node-1", "demo")).getAsJsonObject();

    JsonObject server = bootstrap.getAsJsonArray("xds_servers").get(0).getAsJsonObject();
    assertThat(server.get("server_uri").getAsString()).isEqualTo("127.0.0.1:" + controlPlane.port());
    assertThat(server.getAsJsonArray("channel_creds").get(0).getAsJsonObject().get("type").getAsString())
        .isEqualTo("insecure");
    assertThat(server.getAsJsonArray("server_features").get(0).getAsString()).isEqualTo("xds_v3");
    assertThat(bootstrap.getAsJsonObject("node").get("id").getAsString()).isEqualTo("node-1");
    assertThat(bootstrap.getAsJsonObject("node").get("cluster").getAsString()).isEqualTo("demo");
  }

  @Test
  void listensOnLoopbackOnly() throws Exception {
    controlPlane = LocalControlPlane.start(dir, 0);

    try (ServerSocket sameAddress = new ServerSocket()) {
      sameAddress.bind(new java.net.InetSocketAddress("127.0.0.1", controlPlane.port()));
      throw new AssertionError("the port should be taken on 127.0.0.1");
    } catch (IOException expected) {
      assertThat(expected).hasMessageContaining("in use");
    }
  }

  @Test
  void commandLineRequiresAConfigDirectoryAndAValidPort() {
    assertThat(LocalControlPlane.CommandLine.parse("--config-dir", "cfg"))
        .isEqualTo(new LocalControlPlane.CommandLine(Path.of("cfg"), LocalControlPlane.DEFAULT_PORT, false));
    assertThat(LocalControlPlane.CommandLine.parse("--port", "19000", "--config-dir", "cfg").port()).isEqualTo(19000);
    assertThatThrownBy(() -> LocalControlPlane.CommandLine.parse("--port", "1"))
        .hasMessage("--config-dir is required");
    assertThatThrownBy(() -> LocalControlPlane.CommandLine.parse("--config-dir", "cfg", "--port", "x"))
        .hasMessage("--port must be a number: x");
    assertThatThrownBy(() -> LocalControlPlane.CommandLine.parse("--config-dir"))
        .hasMessage("--config-dir needs a value");
    assertThatThrownBy(() -> LocalControlPlane.CommandLine.parse("--verbose")).hasMessage("unknown argument: --verbose");
  }
}

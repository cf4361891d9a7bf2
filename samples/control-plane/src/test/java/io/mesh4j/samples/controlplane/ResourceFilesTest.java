package io.mesh4j.samples.controlplane;

import static io.mesh4j.samples.controlplane.ConfigFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourceFilesTest {
  @TempDir Path dir;

  @Test
  void loadsSingleResourcesListsDocumentsAndJson() throws Exception {
    ConfigFixtures.writeCatalog(dir, 90, 10);

    ResourceSet set = ResourceFiles.loadDirectory(dir);

    assertThat(set.listeners()).containsOnlyKeys(ConfigFixtures.LISTENER_NAME);
    assertThat(set.routes()).containsOnlyKeys("catalog-routes");
    assertThat(set.clusters()).containsOnlyKeys("catalog-v1", "catalog-v2");
    assertThat(set.endpoints()).containsOnlyKeys("catalog-v1", "catalog-v2");
    assertThat(set.endpoints().get("catalog-v2").getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress()
        .getSocketAddress().getPortValue()).isEqualTo(18082);
    assertThat(set.routes().get("catalog-routes").getVirtualHosts(0).getRoutes(0).getRoute().getWeightedClusters()
        .getClusters(0).getWeight().getValue()).isEqualTo(90);
  }

  @Test
  void decodesTypedConfigsInsideAny() throws Exception {
    ConfigFixtures.writeCatalog(dir, 90, 10);

    ResourceSet set = ResourceFiles.loadDirectory(dir);

    Listener listener = set.listeners().get(ConfigFixtures.LISTENER_NAME);
    HttpConnectionManager hcm = listener.getApiListener().getApiListener().unpack(HttpConnectionManager.class);
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo("catalog-routes");
    assertThat(hcm.getRds().getConfigSource().hasAds()).isTrue();
    assertThat(hcm.getHttpFilters(0).getTypedConfig().is(HTTPFault.class)).isTrue();
    assertThat(hcm.getHttpFilters(1).getTypedConfig().is(RBAC.class)).isTrue();
    assertThat(hcm.getHttpFilters(2).getTypedConfig().is(Router.class)).isTrue();
    HTTPFault perRoute = set.routes().get("catalog-routes").getVirtualHosts(0).getRoutes(0)
        .getTypedPerFilterConfigOrThrow("envoy.filters.http.fault").unpack(HTTPFault.class);
    assertThat(perRoute.getAbort().getHttpStatus()).isEqualTo(503);
    Cluster v2 = set.clusters().get("catalog-v2");
    assertThat(v2.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class).getSni())
        .isEqualTo("catalog.shop.svc.cluster.local");
    assertThat(v2.getTypedExtensionProtocolOptionsOrThrow("envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
        .unpack(HttpProtocolOptions.class).getExplicitHttpConfig().hasHttpProtocolOptions()).isTrue();
  }

  @Test
  void keepsYamlDatesAsStrings() throws Exception {
    ConfigFixtures.writeCatalog(dir, 90, 10);

    Cluster v1 = ResourceFiles.loadDirectory(dir).clusters().get("catalog-v1");

    assertThat(v1.getMetadata().getFilterMetadataOrThrow("team").getFieldsOrThrow("since").getStringValue())
        .isEqualTo("2024-01-31");
  }

  @Test
  void resourcesRoundTripThroughTheJsonPrinter() throws Exception {
    ConfigFixtures.writeCatalog(dir, 70, 30);
    ResourceSet original = ResourceFiles.loadDirectory(dir);
    List<Message> all = new ArrayList<>();
    all.addAll(original.listeners().values());
    all.addAll(original.routes().values());
    all.addAll(original.clusters().values());
    all.addAll(original.endpoints().values());
    JsonFormat.Printer printer = JsonFormat.printer().usingTypeRegistry(EnvoyTypes.registry()).preservingProtoFieldNames();
    Path dumped = Files.createDirectory(dir.resolve("dumped"));
    StringBuilder json = new StringBuilder("{\"resources\": [");
    for (int i = 0; i < all.size(); i++) {
      json.append(i == 0 ? "" : ",").append(printer.print(Any.pack(all.get(i))));
    }
    write(dumped.resolve("dump.json"), json.append("]}").toString());

    ResourceSet reloaded = ResourceFiles.loadDirectory(dumped);

    assertThat(reloaded).isEqualTo(original);
  }

  @Test
  void reportsAnUnknownFieldWithFileResourceAndParserMessage() throws Exception {
    ConfigFixtures.writeCatalog(dir, 90, 10);
    write(dir.resolve("routes.json"), ConfigFixtures.routesJson(90, 10).replace("\"weight\": 90", "\"wieght\": 90"));

    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir))
        .isInstanceOf(ConfigLoadException.class)
        .hasMessageStartingWith("routes.json: resource (RouteConfiguration \"catalog-routes\"): ")
        .hasMessageContaining("Cannot find field: wieght in message envoy.config.route.v3.WeightedCluster.ClusterWeight")
        .satisfies(e -> assertThat(((ConfigLoadException) e).file()).isEqualTo(dir.resolve("routes.json")));
  }

  @Test
  void reportsAnUnknownTypeInsideAny() throws Exception {
    write(dir.resolve("listener.yaml"), ConfigFixtures.LISTENER_YAML
        .replace("envoy.extensions.filters.http.router.v3.Router", "example.NoSuchFilter"));

    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir))
        .isInstanceOf(ConfigLoadException.class)
        .hasMessageStartingWith("listener.yaml: resource (Listener \"catalog.shop.svc.cluster.local:8080\"): ")
        .hasMessageContaining("example.NoSuchFilter");
  }

  @Test
  void reportsAListEntryByIndex() throws Exception {
    write(dir.resolve("clusters.yaml"), ConfigFixtures.CLUSTERS_YAML.replace("lb_policy: ROUND_ROBIN\n  typed",
        "lb_policy: ROUND_ROBINN\n  typed"));

    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir))
        .hasMessageStartingWith("clusters.yaml: resources[1] (Cluster \"catalog-v2\"): ")
        .hasMessageContaining("ROUND_ROBINN");
  }

  @Test
  void reportsMissingAndUnsupportedTypes() throws Exception {
    write(dir.resolve("a.yaml"), "name: no-type\n");
    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir))
        .hasMessage("a.yaml: expected a resource with \"@type\" or a list under \"resources:\"");

    write(dir.resolve("a.yaml"), "resources:\n- name: no-type\n");
    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir))
        .hasMessageStartingWith("a.yaml: resources[0]: missing \"@type\"");

    write(dir.resolve("a.yaml"), "\"@type\": type.googleapis.com/envoy.config.core.v3.Node\nid: x\n");
    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir))
        .hasMessageStartingWith("a.yaml: resource: \"@type\" type.googleapis.com/envoy.config.core.v3.Node is not a"
            + " resource this control plane serves; use one of [type.googleapis.com/envoy.config.cluster.v3.Cluster");
  }

  @Test
  void reportsMalformedYamlAndJsonWithPosition() throws Exception {
    write(dir.resolve("bad.yaml"), "resources:\n  - \"@type\": x\n   name: [unclosed\n");
    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir))
        .hasMessageStartingWith("bad.yaml: not valid YAML: ")
        .hasMessageContaining("line 3");
    Files.delete(dir.resolve("bad.yaml"));

    write(dir.resolve("bad.json"), "{\"resources\": [ {\"@type\": \"x\" ]}");
    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir))
        .hasMessageStartingWith("bad.json: not valid JSON: ")
        .hasMessageContaining("line 1");
  }

  @Test
  void readsJsonStrictly() throws Exception {
    write(dir.resolve("a.json"), "{\"resources\": []} {}");
    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir))
        .hasMessage("a.json: not valid JSON: malformed JSON at line 1 column 20 path $");

    write(dir.resolve("a.json"), "{\"resources\": [nope]}");
    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir))
        .hasMessageStartingWith("a.json: not valid JSON: malformed JSON at line 1 column");

    write(dir.resolve("a.json"), " ");
    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir)).hasMessage("a.json: is empty");
  }

  @Test
  void refusesTwoResourcesWithOneName() throws Exception {
    ConfigFixtures.writeCatalog(dir, 90, 10);
    write(dir.resolve("more-clusters.yaml"), """
        "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
        name: catalog-v1
        """);

    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir))
        .hasMessage("more-clusters.yaml: resource (Cluster \"catalog-v1\"): a Cluster named \"catalog-v1\" is"
            + " already defined in clusters.yaml");
  }

  @Test
  void refusesAResourceWithoutName() throws Exception {
    write(dir.resolve("a.yaml"), "\"@type\": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment\n");

    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir))
        .hasMessage("a.yaml: resource (ClusterLoadAssignment): has no name (cluster_name is empty)");
  }

  @Test
  void refusesKeysNextToResources() throws Exception {
    write(dir.resolve("a.yaml"), "version_info: \"3\"\nresources: []\n");

    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir))
        .hasMessage("a.yaml: unexpected keys next to \"resources\": [version_info]");
  }

  @Test
  void skipsHiddenFilesEditorLeftoversAndOtherExtensions() throws Exception {
    ConfigFixtures.writeCatalog(dir, 90, 10);
    Files.writeString(dir.resolve(".#routes.json"), "not json");
    Files.writeString(dir.resolve("routes.json~"), "not json");
    Files.writeString(dir.resolve("README.txt"), "notes");
    Files.createDirectory(dir.resolve("sub.yaml"));

    assertThat(ResourceFiles.loadDirectory(dir).size()).isEqualTo(6);
  }

  @Test
  void emptyDirectoryIsAnEmptySet() throws Exception {
    assertThat(ResourceFiles.loadDirectory(dir)).isEqualTo(ResourceSet.EMPTY);
  }

  @Test
  void missingDirectoryIsReported() {
    assertThatThrownBy(() -> ResourceFiles.loadDirectory(dir.resolve("nope")))
        .isInstanceOf(ConfigLoadException.class)
        .hasMessageStartingWith("nope: cannot list the directory");
  }

  @Test
  void resourcesAreOfTheirDeclaredType() throws Exception {
    ConfigFixtures.writeCatalog(dir, 90, 10);

    assertThat(ResourceFiles.loadDirectory(dir).routes().get("catalog-routes")).isInstanceOf(RouteConfiguration.class);
  }
}

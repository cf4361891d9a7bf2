package io.mesh4j.cli;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * meshctl proxy-status end to end: a real control plane (java-control-plane on loopback), a real mesh instance
 * serving CSDS, and meshctl run as a user runs it, its printed output read back.
 */
class ProxyStatusTest {
  private static final String TARGET = "catalog.mesh:9090";
  private static final List<String> COLUMNS =
      List.of("NAME", "INSTANCE", "CLUSTER", "CDS", "LDS", "EDS", "RDS", "CONTROL PLANE", "VERSION");
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private LoopbackControlPlane controlPlane;
  private NamedGrpcServer backend;
  private MeshInstance instance;

  @BeforeEach
  void start() throws Exception {
    controlPlane = LoopbackControlPlane.start();
    backend = NamedGrpcServer.start("v1");
    publish("1", routeConfig("catalog-routes", TARGET, "catalog"));
    instance = new MeshInstance(controlPlane, TARGET);
    assertThat(instance.hello()).isEqualTo("v1");
  }

  @AfterEach
  void stop() {
    instance.close();
    controlPlane.close();
    backend.close();
  }

  /**
   * The instance's config, and the cluster the fleet itself is in (for --discover): its endpoints, under their own
   * EDS name, are the instances' addresses; only the IP counts, the port is the CSDS port meshctl is given.
   */
  private void publish(String version, RouteConfiguration routes) {
    Cluster fleet = edsCluster("fleet").toBuilder().setEdsClusterConfig(
        edsCluster("fleet").getEdsClusterConfig().toBuilder().setServiceName("fleet-endpoints")).build();
    controlPlane.setSnapshot(version, List.of(apiListener(TARGET, "catalog-routes")), List.of(routes),
        List.of(edsCluster("catalog"), fleet),
        List.of(cla("catalog", backend.hostPort()), cla("fleet-endpoints", "127.0.0.1:8080")));
  }

  private Map<String, String> row() {
    MeshCtlRun run = MeshCtlRun.of("proxy-status", "--control-plane", controlPlane.target(), "--instances",
        instance.csdsAddress());
    assertThat(run.exitCode()).as(run.err()).isZero();
    return PrintedTable.parse(run.out(), COLUMNS).get(0);
  }

  @Test
  void anInstanceThatHasWhatTheControlPlaneServesIsSyncedInEveryColumn() {
    Map<String, String> row = row();

    assertThat(row).containsEntry("NAME", "test-node").containsEntry("INSTANCE", instance.csdsAddress())
        .containsEntry("CLUSTER", "test-cluster")
        .containsEntry("CDS", "SYNCED").containsEntry("LDS", "SYNCED")
        .containsEntry("EDS", "SYNCED").containsEntry("RDS", "SYNCED")
        .containsEntry("CONTROL PLANE", "-");
    assertThat(row.get("VERSION")).startsWith("mesh4j/");
  }

  @Test
  void anInstanceCutOffFromTheControlPlaneIsStaleUntilItCatchesUp() {
    instance.linkToControlPlane().hold();
    publish("2", changedRoutes());

    // meshctl asks the control plane itself, so it sees version 2 while the instance still has 1. Only the routes
    // changed: the other types are the same resources under the new version, which is in sync.
    Map<String, String> behind = row();
    assertThat(behind).containsEntry("RDS", "STALE (1 vs 2)").containsEntry("CDS", "SYNCED")
        .containsEntry("LDS", "SYNCED").containsEntry("EDS", "SYNCED");

    instance.linkToControlPlane().release();
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(row())
        .containsEntry("CDS", "SYNCED").containsEntry("LDS", "SYNCED")
        .containsEntry("EDS", "SYNCED").containsEntry("RDS", "SYNCED"));
  }

  @Test
  void aRejectedUpdateIsNackedWithTheInstancesErrorAndTheDetailShowsItWhole() {
    publish("2", badRegexRoutes());

    await().atMost(PATIENCE).untilAsserted(() -> assertThat(row().get("RDS")).startsWith("NACKED ("));
    Map<String, String> row = row();
    assertThat(row.get("RDS")).contains("catalog-routes");
    // The other types of version 2 were accepted.
    assertThat(row).containsEntry("CDS", "SYNCED").containsEntry("LDS", "SYNCED").containsEntry("EDS", "SYNCED");

    MeshCtlRun detail = MeshCtlRun.of("proxy-status", instance.csdsAddress(), "--control-plane", controlPlane.target());
    assertThat(detail.exitCode()).as(detail.err()).isZero();
    List<Map<String, String>> resources = PrintedTable.parse(detail.out(),
        List.of("TYPE", "NAME", "THEIRS", "CURRENT", "CLIENT STATUS", "STATE"));
    assertThat(resources).anySatisfy(r -> assertThat(r)
        .containsEntry("TYPE", "RDS").containsEntry("NAME", "catalog-routes")
        .containsEntry("THEIRS", "1").containsEntry("CURRENT", "2").containsEntry("CLIENT STATUS", "NACKED"));
    assertThat(resources).anySatisfy(r -> assertThat(r)
        .containsEntry("TYPE", "CDS").containsEntry("NAME", "catalog")
        .containsEntry("THEIRS", "2").containsEntry("CURRENT", "2").containsEntry("STATE", "SYNCED"));
    assertThat(detail.out()).contains("Rejected updates:").containsPattern("RDS catalog-routes.*: .*safe_regex")
        .contains("Ignored fields: not reported over csds");
  }

  @Test
  void anUnreachableInstanceIsARowWithTheReasonNotACrash() throws IOException {
    String nobody = closedPort();
    MeshCtlRun run = MeshCtlRun.of("proxy-status", "--control-plane", controlPlane.target(),
        "--instances", instance.csdsAddress() + "," + nobody);

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<Map<String, String>> rows = PrintedTable.parse(run.out(), COLUMNS);
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0)).containsEntry("RDS", "SYNCED");
    assertThat(rows.get(1)).containsEntry("NAME", nobody).containsEntry("CDS", "UNREACHABLE")
        .containsEntry("RDS", "UNREACHABLE");
    // A bare host:port is tried as an admin endpoint, then over CSDS: the note says why both failed.
    assertThat(run.out()).containsPattern(nobody.replace(".", "\\.")
        + ": admin endpoint at .*connection refused; CSDS at .*UNAVAILABLE");
  }

  @Test
  void withoutAnAnswerFromTheControlPlaneTheColumnsAreUnknownAndTheNoteSaysWhy() throws IOException {
    String nobody = closedPort();
    MeshCtlRun run = MeshCtlRun.of("proxy-status", "--control-plane", nobody, "--instances", instance.csdsAddress());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(PrintedTable.parse(run.out(), COLUMNS).get(0))
        .containsEntry("NAME", "test-node")
        .containsEntry("RDS", "UNKNOWN (1 vs ?)").containsEntry("CDS", "UNKNOWN (1 vs ?)");
    assertThat(run.out()).contains(instance.csdsAddress() + ": control plane " + nobody + ": UNAVAILABLE");
  }

  @Test
  void jsonCarriesEachColumnAndEveryResourceWithBothVersions() {
    MeshCtlRun run = MeshCtlRun.of("proxy-status", "--control-plane", controlPlane.target(),
        "--instances", instance.csdsAddress(), "-o", "json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonArray fleet = JsonParser.parseString(run.out()).getAsJsonArray();
    JsonObject one = fleet.get(0).getAsJsonObject();
    assertThat(one.get("name").getAsString()).isEqualTo("test-node");
    assertThat(one.getAsJsonObject("columns").getAsJsonObject("RDS").get("state").getAsString()).isEqualTo("SYNCED");
    JsonObject routes = null;
    for (JsonElement r : one.getAsJsonArray("resources")) {
      if (r.getAsJsonObject().get("type").getAsString().equals("RDS")) {
        routes = r.getAsJsonObject();
      }
    }
    assertThat(routes).isNotNull();
    assertThat(routes.get("name").getAsString()).isEqualTo("catalog-routes");
    assertThat(routes.get("version").getAsString()).isEqualTo("1");
    assertThat(routes.get("currentVersion").getAsString()).isEqualTo("1");
    assertThat(routes.get("clientStatus").getAsString()).isEqualTo("ACKED");
  }

  @Test
  void instancesAreFoundInTheControlPlanesEndpointsOfTheirCluster() {
    String port = instance.csdsAddress().substring(instance.csdsAddress().lastIndexOf(':') + 1);
    MeshCtlRun run = MeshCtlRun.of("proxy-status", "--control-plane", controlPlane.target(), "--discover", "fleet",
        "--csds-port", port);

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<Map<String, String>> rows = PrintedTable.parse(run.out(), COLUMNS);
    assertThat(rows).singleElement().satisfies(row -> assertThat(row)
        .containsEntry("NAME", "test-node").containsEntry("INSTANCE", instance.csdsAddress())
        .containsEntry("RDS", "SYNCED").containsEntry("CDS", "SYNCED"));
  }

  @Test
  void discoveringAClusterTheControlPlaneDoesNotHaveSaysSo() {
    MeshCtlRun run = MeshCtlRun.of("proxy-status", "--control-plane", controlPlane.target(), "--discover", "nowhere",
        "--csds-port", "15000");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("cannot discover the instances of nowhere")
        .contains("CDS resource 'nowhere' does not exist at " + controlPlane.target());
  }

  @Test
  void watchRedrawsUntilInterrupted() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AtomicInteger exitCode = new AtomicInteger(-1);
    Thread watching = new Thread(() -> exitCode.set(MeshCtl.run(
        new String[] {"proxy-status", "--control-plane", controlPlane.target(), "--instances",
            instance.csdsAddress(), "--watch", "--interval", "100ms"},
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err)));
    watching.start();
    try {
      await().atMost(PATIENCE).until(() -> frames(out) >= 2);
      instance.linkToControlPlane().hold();
      publish("2", changedRoutes());
      await().atMost(PATIENCE).until(() -> lastFrame(out).contains("STALE (1 vs 2)"));
      instance.linkToControlPlane().release();
      await().atMost(PATIENCE).until(() -> !lastFrame(out).contains("STALE") && lastFrame(out).contains("SYNCED"));
    } finally {
      watching.interrupt();
      watching.join(PATIENCE.toMillis());
    }
    assertThat(exitCode.get()).isZero();
  }

  private static int frames(ByteArrayOutputStream out) {
    return out.toString(StandardCharsets.UTF_8).split("Every ", -1).length - 1;
  }

  /** The last complete frame (the one before the frame being drawn now). */
  private static String lastFrame(ByteArrayOutputStream out) {
    String[] frames = out.toString(StandardCharsets.UTF_8).split("Every ", -1);
    return frames.length < 3 ? "" : frames[frames.length - 2];
  }

  /** The same routes and one more virtual host: a change the instance serves on as before. */
  private static RouteConfiguration changedRoutes() {
    RouteConfiguration routes = routeConfig("catalog-routes", TARGET, "catalog");
    return routes.toBuilder().addVirtualHosts(routes.getVirtualHosts(0).toBuilder()
        .setName("other.mesh").clearDomains().addDomains("other.mesh")).build();
  }

  private static RouteConfiguration badRegexRoutes() {
    return RouteConfiguration.newBuilder().setName("catalog-routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("v").addDomains("*").addRoutes(Route.newBuilder()
            .setMatch(RouteMatch.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex("/(")))
            .setRoute(RouteAction.newBuilder().setCluster("catalog"))))
        .build();
  }

  /** A loopback port nothing listens on any more. */
  private static String closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }
}

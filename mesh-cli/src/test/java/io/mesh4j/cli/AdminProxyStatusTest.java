package io.mesh4j.cli;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * meshctl proxy-status reading instances on their admin endpoint ({@code /status} and {@code /config_dump}): a real
 * control plane, a real mesh with its admin endpoint on loopback, meshctl run as a user runs it (the "done
 * when": SYNCED in every column, the new routes version SYNCED after an edit, a rejected edit NACKED with its error).
 */
class AdminProxyStatusTest {
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

  private void publish(String version, RouteConfiguration routes) {
    controlPlane.setSnapshot(version, List.of(apiListener(TARGET, "catalog-routes")), List.of(routes),
        List.of(edsCluster("catalog")), List.of(cla("catalog", backend.hostPort())));
  }

  private Map<String, String> row(String instanceArg) {
    MeshCtlRun run = MeshCtlRun.of("proxy-status", "--control-plane", controlPlane.target(), "--instances",
        instanceArg);
    assertThat(run.exitCode()).as(run.err()).isZero();
    return PrintedTable.parse(run.out(), COLUMNS).get(0);
  }

  @Test
  void aBareAdminPortIsReadOnTheAdminEndpointAndSyncedInEveryColumnWithItsControlPlane() {
    Map<String, String> row = row(instance.adminAddress());

    assertThat(row).containsEntry("NAME", "test-node").containsEntry("INSTANCE", instance.adminAddress())
        .containsEntry("CLUSTER", "test-cluster")
        .containsEntry("CDS", "SYNCED").containsEntry("LDS", "SYNCED")
        .containsEntry("EDS", "SYNCED").containsEntry("RDS", "SYNCED")
        .containsEntry("CONTROL PLANE", instance.relayAddress());
    assertThat(row.get("VERSION")).startsWith("mesh4j/");
  }

  @Test
  void aRoutesEditShowsStaleWhileTheInstanceIsBehindThenTheNewVersionSynced() {
    instance.linkToControlPlane().hold();
    publish("2", changedRoutes());
    assertThat(row("http://" + instance.adminAddress())).containsEntry("RDS", "STALE (1 vs 2)")
        .containsEntry("CDS", "SYNCED").containsEntry("LDS", "SYNCED").containsEntry("EDS", "SYNCED");

    instance.linkToControlPlane().release();
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(row("http://" + instance.adminAddress()))
        .containsEntry("RDS", "SYNCED").containsEntry("CDS", "SYNCED")
        .containsEntry("LDS", "SYNCED").containsEntry("EDS", "SYNCED"));
    MeshCtlRun detail = MeshCtlRun.of("proxy-status", "http://" + instance.adminAddress(), "--control-plane",
        controlPlane.target());
    assertThat(PrintedTable.parse(detail.out(), List.of("TYPE", "NAME", "THEIRS", "CURRENT", "CLIENT STATUS",
        "STATE"))).anySatisfy(r -> assertThat(r).containsEntry("TYPE", "RDS").containsEntry("THEIRS", "2")
            .containsEntry("CURRENT", "2").containsEntry("STATE", "SYNCED"));
  }

  @Test
  void aRejectedEditIsNackedWithTheInstancesErrorAndTheDetailShowsIgnoredFields() {
    publish("2", badRegexRoutes());

    await().atMost(PATIENCE).untilAsserted(() -> assertThat(row(instance.adminAddress()).get("RDS"))
        .startsWith("NACKED (").contains("catalog-routes"));

    MeshCtlRun detail = MeshCtlRun.of("proxy-status", instance.adminAddress(), "--control-plane",
        controlPlane.target());
    assertThat(detail.exitCode()).as(detail.err()).isZero();
    assertThat(detail.out()).contains("(read over admin)")
        .contains("Control plane:  " + instance.relayAddress())
        .contains("Rejected updates:").containsPattern("RDS catalog-routes.*: .*safe_regex")
        .containsPattern("Ignored fields: (none|\\n  )");
  }

  @Test
  void aBarePortThatSpeaksGrpcIsReadOverCsdsAndSchemesPickTheWay() {
    assertThat(row(instance.csdsAddress())).containsEntry("RDS", "SYNCED").containsEntry("CONTROL PLANE", "-");
    assertThat(row("csds://" + instance.csdsAddress())).containsEntry("RDS", "SYNCED");

    // Named as CSDS, the admin port is not tried as an admin endpoint: a row saying why.
    Map<String, String> wrong = row("csds://" + instance.adminAddress());
    assertThat(wrong).containsEntry("RDS", "UNREACHABLE");
  }

  @Test
  void discoveredInstancesAreReadOnTheirAdminPort() {
    // The fleet's own cluster lists the instance; meshctl reads each endpoint's IP on the admin port.
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "catalog-routes")),
        List.of(routeConfig("catalog-routes", TARGET, "catalog")), List.of(edsCluster("catalog"), edsCluster("fleet")),
        List.of(cla("catalog", backend.hostPort()), cla("fleet", "127.0.0.1:8080")));
    String port = instance.adminAddress().substring(instance.adminAddress().lastIndexOf(':') + 1);

    MeshCtlRun run = MeshCtlRun.of("proxy-status", "--control-plane", controlPlane.target(), "--discover", "fleet",
        "--admin-port", port);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(PrintedTable.parse(run.out(), COLUMNS)).singleElement().satisfies(row -> assertThat(row)
        .containsEntry("INSTANCE", instance.adminAddress()).containsEntry("RDS", "SYNCED")
        .containsEntry("CONTROL PLANE", instance.relayAddress()));
  }

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
}

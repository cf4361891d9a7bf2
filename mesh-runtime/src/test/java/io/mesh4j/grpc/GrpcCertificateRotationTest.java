package io.mesh4j.grpc;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.cla;
import static io.mesh4j.runtime.testing.XdsResources.routeConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.ClientCalls;
import io.mesh4j.Mesh;
import io.mesh4j.runtime.MeshInternals;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import io.mesh4j.runtime.testing.PacedLoad;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import io.mesh4j.runtime.testing.WorkloadCertificateRotations;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workload certificate rotations under gRPC load, as {@code MtlsIntegrationTest} does over OkHttp
 * ({@link WorkloadCertificateRotations}): {@link MeshGrpc} calls at a steady rate to a grpc-java server requiring
 * client certificates, the mesh's certificate from Istio's agent files through {@code file_watcher}, rotated (with a
 * half-written key between the writes) while the calls go on. The server closes every connection gracefully after a
 * second, so the endpoint channel keeps opening new ones: each must present the newest certificate, and no call
 * fails.
 */
class GrpcCertificateRotationTest {
  private static final String NS = "spiffe://cluster.local/ns/shop/sa/";
  private static final String TARGET = "catalog.mesh:9090";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path certs;
  private final TestPki.Ca root = TestPki.root("root-a");
  private final TestPki.Ca intermediate = root.intermediate("intermediate-a");
  private LoopbackControlPlane controlPlane;
  private NamedGrpcServer catalog;
  private Mesh mesh;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    intermediate.leaf(NS + "frontend").writeIstioFiles(certs, root.certificate());
    catalog = NamedGrpcServer.startCyclingConnections("catalog", requiringClientCertificates(
        intermediate.leaf(NS + "catalog")), Duration.ofSeconds(1));
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (mesh != null) {
      mesh.close();
    }
    catalog.close();
    controlPlane.close();
  }

  private ServerCredentials requiringClientCertificates(TestPki.Leaf identity) {
    try {
      return TlsServerCredentials.newBuilder()
          .keyManager(stream(identity.chainPem()), stream(identity.keyPem()))
          .trustManager(stream(TestPki.pem(root.certificate())))
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ByteArrayInputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }

  private String call() {
    return ClientCalls.blockingUnaryCall(channel, NamedGrpcServer.HELLO,
        CallOptions.DEFAULT.withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS), "hi");
  }

  @Test
  void rotatingTheFilesUnderLoadFailsNoCallAndNewConnectionsPresentTheNewCertificate() throws Exception {
    Cluster cluster = TlsResources.tlsCluster("catalog", TlsResources.istioMtls("default", "", NS + "catalog"));
    // The retry policy istiod puts on every route (without its per-try timeout), as a mesh's routes carry it. The
    // server drains each connection after a second with GOAWAY; a call it refused unprocessed meanwhile goes again by
    // the endpoint channel's transparent retry, with or without this policy (GrpcRefusedStreamTest).
    RouteConfiguration routes = routeConfig("routes", TARGET, "catalog");
    RouteAction retried = routes.getVirtualHosts(0).getRoutes(0).getRoute().toBuilder()
        .setRetryPolicy(RetryPolicy.newBuilder()
            .setRetryOn("connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes")
            .setNumRetries(UInt32Value.of(2)))
        .build();
    routes = routes.toBuilder().setVirtualHosts(0, routes.getVirtualHosts(0).toBuilder()
        .setRoutes(0, routes.getVirtualHosts(0).getRoutes(0).toBuilder().setRoute(retried))).build();
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "routes")),
        List.of(routes), List.of(cluster), List.of(cla("catalog", catalog.hostPort())));
    mesh = Mesh.builder()
        .bootstrapJson(TlsResources.withFileWatcher(controlPlane.bootstrapJson(), "default", certs,
            WorkloadCertificateRotations.REFRESH_INTERVAL))
        .listenerWait(WAIT)
        .build();
    channel = MeshGrpc.newChannel(mesh, TARGET);
    assertThat(call()).isEqualTo("catalog");

    List<String> issued;
    PacedLoad load = PacedLoad.start("grpc", WorkloadCertificateRotations.RATE, this::call);
    try {
      // No nudge: the server's connection age makes the endpoint channel reconnect, and the load makes the calls.
      issued = WorkloadCertificateRotations.rotate(intermediate, NS + "frontend", root.certificate(), certs,
          catalog::clientSerials, () -> {});
    } finally {
      load.close();
    }
    long refused = MeshInternals.of(mesh).security().provider("default").failures();
    WorkloadCertificateRotations.report("gRPC", load, issued, refused);
    assertThat(load.failures()).as("no call may fail during rotation").isEmpty();
    assertThat(load.count("catalog")).isPositive();
    assertThat(catalog.clientSerials()).containsAll(issued);
    assertThat(refused).as("half-written keys the provider refused").isPositive();
  }
}

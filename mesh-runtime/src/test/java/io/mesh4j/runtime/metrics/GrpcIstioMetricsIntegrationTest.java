package io.mesh4j.runtime.metrics;

import static io.mesh4j.runtime.testing.XdsResources.apiListener;
import static io.mesh4j.runtime.testing.XdsResources.edsCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mesh4j.Mesh;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.runtime.testing.BehavingGrpcServer;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Istio's request metrics from real gRPC calls through the mesh: protocol grpc, HTTP 200 and the gRPC status. */
class GrpcIstioMetricsIntegrationTest {
  private static final String TARGET = "catalog.shop.svc.cluster.local:9090";
  private static final String CLUSTER = "outbound|9090||catalog.shop.svc.cluster.local";

  private LoopbackControlPlane controlPlane;
  private BehavingGrpcServer server;
  private Mesh mesh;
  private ManagedChannel channel;
  private SimpleMeterRegistry registry;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    server = BehavingGrpcServer.start("catalog");
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("catalog-routes")
        .addVirtualHosts(VirtualHost.newBuilder().setName("catalog").addDomains(TARGET)
            .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setCluster(CLUSTER)
                    .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("unavailable")
                        .setNumRetries(UInt32Value.of(1))))))
        .build();
    controlPlane.setSnapshot("1", List.of(apiListener(TARGET, "catalog-routes")), List.of(routes),
        List.of(edsCluster(CLUSTER)),
        List.of(IstioBootstrap.cla(CLUSTER, "catalog-v2;shop;catalog;v2;Kubernetes", server.hostPort())));
    registry = new SimpleMeterRegistry();
    mesh = Mesh.builder().bootstrapJson(IstioBootstrap.json(controlPlane)).listenerWait(Duration.ofSeconds(10))
        .meterRegistry(registry).build();
    channel = MeshGrpc.newChannel(mesh, "mesh:///" + TARGET);
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    mesh.close();
    controlPlane.close();
    server.close();
  }

  private String call(String behavior) {
    return ClientCalls.blockingUnaryCall(channel, BehavingGrpcServer.UNARY,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), behavior);
  }

  private Counter requests(String grpcStatus, String flags) {
    return registry.get("istio_requests").tags("reporter", "source", "request_protocol", "grpc",
        "response_code", "200", "grpc_response_status", grpcStatus, "response_flags", flags,
        "destination_service", "catalog.shop.svc.cluster.local", "destination_service_name", "catalog",
        "destination_workload", "catalog-v2", "destination_version", "v2", "source_workload", "orders-v1",
        "source_app", "orders").counter();
  }

  @Test
  void aGrpcCallIsCountedAsHttp200WithItsGrpcStatusAndMessageSizes() {
    assertThat(call("ok")).isEqualTo("catalog:0"); // the server's name and the attempts before this one
    assertThat(call("ok")).isEqualTo("catalog:0");

    assertThat(requests("0", "-").count()).isEqualTo(2);
    Meter.Id id = requests("0", "-").getId();
    assertThat(registry.get("istio_request_bytes").tags(id.getTags()).summary().totalAmount())
        .isEqualTo(2 * "ok".length());
    assertThat(registry.get("istio_response_bytes").tags(id.getTags()).summary().totalAmount())
        .isEqualTo(2 * "catalog:0".length());
    assertThat(registry.get("istio_request_duration_milliseconds").tags(id.getTags()).summary().count())
        .isEqualTo(2);
  }

  @Test
  void anUpstreamStatusAfterTheLastRetryIsItsGrpcStatusFlaggedUrxAndTheRetriesAreCounted() {
    assertThatThrownBy(() -> call("fail-first:5:UNAVAILABLE")).isInstanceOf(StatusRuntimeException.class);
    assertThat(call("fail-first:1:UNAVAILABLE")).isEqualTo("catalog:1");

    assertThat(requests("14", "URX").count()).isEqualTo(1);
    assertThat(requests("0", "-").count()).isEqualTo(1);
    assertThat(registry.get("envoy_cluster_upstream_rq_retry").tag("cluster_name", CLUSTER).counter().count())
        .isEqualTo(2);
    assertThat(registry.get("envoy_cluster_upstream_rq_retry_success").tag("cluster_name", CLUSTER).counter()
        .count()).isEqualTo(1);
  }
}

package io.mesh4j.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.mesh4j.Mesh;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.runtime.testing.BehavingGrpcServer;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.RecordedCalls;
import io.mesh4j.runtime.testing.UpstreamChaos;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstreams failing under gRPC load ({@link UpstreamChaos}, as {@code ChaosIntegrationTest} over OkHttp): of ten
 * grpc-java servers three answer every call with {@code UNAVAILABLE} and one accepts the connection and the call and
 * never answers. Through {@link MeshGrpc} channels, with Istio's default retry policy, a per-try timeout and outlier
 * detection (a gRPC status counted as the HTTP status Envoy maps it to), at least 99.5% of the calls succeed and their
 * p99 is within the route timeout.
 */
class GrpcChaosIntegrationTest {
  private static final String TARGET = "catalog.mesh:9090";
  /** Beyond the route timeout: the mesh's timeout, not the caller's deadline, is what bounds a call here. */
  private static final Duration CALLER_DEADLINE = UpstreamChaos.ROUTE_TIMEOUT.multipliedBy(6);

  private final List<BehavingGrpcServer> servers = new ArrayList<>();
  private final List<BehavingGrpcServer> failing = new ArrayList<>();
  private BehavingGrpcServer blackHole;
  private LoopbackControlPlane controlPlane;
  private Mesh mesh;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    controlPlane = LoopbackControlPlane.start();
    for (int i = 0; i < UpstreamChaos.HEALTHY; i++) {
      servers.add(BehavingGrpcServer.start("ok-" + i));
    }
    for (int i = 0; i < UpstreamChaos.FAILING; i++) {
      failing.add(BehavingGrpcServer.start("failing-" + i, "fail:UNAVAILABLE"));
    }
    servers.addAll(failing);
    blackHole = BehavingGrpcServer.start("black-hole", "hang");
    servers.add(blackHole);
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
    controlPlane.close();
    servers.forEach(BehavingGrpcServer::close);
  }

  @Test
  void withIstiosRetriesAndOutlierDetectionAtLeast995PerMilleSucceedWithinTheRouteTimeout() throws Exception {
    UpstreamChaos.serve(controlPlane, TARGET, servers.stream().map(BehavingGrpcServer::hostPort).toList());
    mesh = Mesh.builder().bootstrapJson(controlPlane.bootstrapJson()).listenerWait(Duration.ofSeconds(30))
        .outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY).build();
    channel = MeshGrpc.newChannel(mesh, TARGET);

    RecordedCalls calls = RecordedCalls.run(UpstreamChaos.CALLERS, UpstreamChaos.REQUESTS, this::call);

    UpstreamChaos.assertMostSucceedWithinTheRouteTimeout(calls, "OK",
        "Chaos over gRPC: 3 of 10 endpoints UNAVAILABLE, 1 black-holed, Istio's default retries, outlier detection");
    // The failing endpoints and the black hole were tried: the figure is not that of a healthy cluster.
    assertThat(failing.stream().mapToInt(BehavingGrpcServer::calls).sum()).isPositive();
    assertThat(blackHole.calls()).isPositive();
  }

  private String call() {
    try {
      ClientCalls.blockingUnaryCall(channel, BehavingGrpcServer.UNARY,
          CallOptions.DEFAULT.withDeadlineAfter(CALLER_DEADLINE.toMillis(), TimeUnit.MILLISECONDS), "ok");
      return "OK";
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode().name();
    }
  }
}

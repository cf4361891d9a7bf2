package io.mesh4j.cli;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.ClientCalls;
import io.mesh4j.Mesh;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real mesh4j workload in the test process: a {@link Mesh} whose ADS stream goes through a {@link HoldingRelay} to
 * the control plane, a gRPC channel through it, CSDS served on its own loopback port, as the interop client
 * serves it on its stats port, and its admin endpoint on another.
 */
final class MeshInstance implements AutoCloseable {
  private final HoldingRelay relay;
  private final Mesh mesh;
  private final ManagedChannel channel;
  private final Server csds;

  MeshInstance(LoopbackControlPlane controlPlane, String target) {
    relay = new HoldingRelay(controlPlane.port());
    mesh = Mesh.builder()
        .bootstrapJson(controlPlane.bootstrapJson().replace(controlPlane.target(), relay.hostPort()))
        .listenerWait(Duration.ofSeconds(10))
        .adminPort(0)
        .build();
    channel = MeshGrpc.newChannel(mesh, target);
    try {
      csds = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
          .addService(MeshGrpc.csdsService(mesh)).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One call through the mesh: the instance subscribes to the target's listener, routes, cluster and endpoints. */
  String hello() {
    return ClientCalls.blockingUnaryCall(channel, NamedGrpcServer.HELLO,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi");
  }

  /** Where meshctl reads it: {@code 127.0.0.1:port} of its CSDS server. */
  String csdsAddress() {
    return "127.0.0.1:" + csds.getPort();
  }

  /** Where meshctl reads its admin endpoint: {@code 127.0.0.1:port}. */
  String adminAddress() {
    return "127.0.0.1:" + mesh.adminAddress().orElseThrow().getPort();
  }

  /** The control plane as the instance names it (its bootstrap's server_uri): the relay in between. */
  String relayAddress() {
    return relay.hostPort();
  }

  HoldingRelay linkToControlPlane() {
    return relay;
  }

  @Override
  public void close() {
    csds.shutdownNow();
    channel.shutdownNow();
    mesh.close();
    relay.close();
  }
}

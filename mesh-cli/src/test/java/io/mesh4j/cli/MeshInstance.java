package io.mesh4j.cli;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.stub.ClientCalls;
import io.mesh4j.Mesh;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.NamedGrpcServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  private final List<Server> moreCsds = new ArrayList<>();

  MeshInstance(LoopbackControlPlane controlPlane, String target) {
    this(controlPlane, target, "127.0.0.1", 0);
  }

  /** With its admin endpoint on {@code adminHost:adminPort}, as a pod's on its own IP and the fleet's port. */
  MeshInstance(LoopbackControlPlane controlPlane, String target, String adminHost, int adminPort) {
    relay = new HoldingRelay(controlPlane.port());
    mesh = Mesh.builder()
        .bootstrapJson(controlPlane.bootstrapJson().replace(controlPlane.target(), relay.hostPort()))
        .listenerWait(Duration.ofSeconds(10))
        .adminHost(adminHost)
        .adminPort(adminPort)
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

  /** Serves CSDS on another loopback port with {@code credentials} (TLS, mTLS); returns {@code 127.0.0.1:port}. */
  String serveCsds(ServerCredentials credentials) {
    try {
      Server server = Grpc.newServerBuilderForPort(0, credentials).addService(MeshGrpc.csdsService(mesh)).build()
          .start();
      moreCsds.add(server);
      return "127.0.0.1:" + server.getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where meshctl reads its admin endpoint: {@code 127.0.0.1:port} (or the address it was given). */
  String adminAddress() {
    java.net.InetSocketAddress admin = mesh.adminAddress().orElseThrow();
    return admin.getAddress().getHostAddress() + ":" + admin.getPort();
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
    moreCsds.forEach(Server::shutdownNow);
    csds.shutdownNow();
    channel.shutdownNow();
    mesh.close();
    relay.close();
  }
}

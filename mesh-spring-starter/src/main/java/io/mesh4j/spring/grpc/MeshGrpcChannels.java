package io.mesh4j.spring.grpc;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.mesh4j.Mesh;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.spring.MeshClients;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * gRPC channels for the application: {@code mesh:///host:port} (or {@code host:port}) targets are routed by the mesh
 * ({@link MeshGrpc}); a target opted out with {@code mesh.clients[host:port].enabled=false} (or
 * {@code mesh.clients[mesh:///host:port]...}) gets a plain plaintext channel to {@code host:port}. Every channel made
 * here is shut down with the application context.
 */
public class MeshGrpcChannels implements AutoCloseable {
  private final Mesh mesh;
  private final MeshClients clients;
  private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

  public MeshGrpcChannels(Mesh mesh, MeshClients clients) {
    this.mesh = Objects.requireNonNull(mesh, "mesh");
    this.clients = Objects.requireNonNull(clients, "clients");
  }

  /** Whether {@code target} names a mesh channel: {@code mesh:///...}. */
  public static boolean isMeshTarget(String target) {
    return target != null && target.startsWith(MeshGrpc.SCHEME + ":///");
  }

  /** A channel to {@code target} with gRPC's defaults for the connections to each endpoint. */
  public ManagedChannel channel(String target) {
    return channel(target, UnaryOperator.identity());
  }

  /**
   * A channel to {@code target}; {@code endpointChannel} configures the channel to each endpoint (interceptors,
   * executors, message limits), or the one plain channel when the target is opted out of the mesh.
   */
  public ManagedChannel channel(String target, UnaryOperator<ManagedChannelBuilder<?>> endpointChannel) {
    String hostPort = isMeshTarget(target) ? target.substring((MeshGrpc.SCHEME + ":///").length()) : target;
    ManagedChannel channel = clients.routes(target) && clients.routes(hostPort)
        ? MeshGrpc.newChannel(mesh, target, endpointChannel)
        : endpointChannel.apply(ManagedChannelBuilder.forTarget("dns:///" + hostPort).usePlaintext()).build();
    channels.add(channel);
    return channel;
  }

  @Override
  public void close() {
    for (ManagedChannel channel : channels) {
      channel.shutdown();
    }
    for (ManagedChannel channel : channels) {
      try {
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        channel.shutdownNow();
      }
    }
    channels.clear();
  }
}

package io.mesh4j.grpc;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.mesh4j.runtime.inbound.InboundPort;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server whose port is served under the mesh. It listens from {@link #start()}, but serves mesh traffic only
 * once its server listener has arrived ({@link #ready()}); until then it closes every connection, as grpc-java's xDS
 * server refuses to serve. Shutting it down stops watching the listener.
 */
public final class MeshGrpcServer extends Server {
  private final Server server;
  private final InboundPort port;

  MeshGrpcServer(Server server, InboundPort port) {
    this.server = server;
    this.port = port;
  }

  /** Completes when the first good server listener for this port arrived: from then on connections are served. */
  public CompletionStage<Void> ready() {
    return port.ready();
  }

  @Override
  public MeshGrpcServer start() throws IOException {
    server.start();
    return this;
  }

  @Override
  public int getPort() {
    return server.getPort();
  }

  @Override
  public List<? extends SocketAddress> getListenSockets() {
    return server.getListenSockets();
  }

  @Override
  public List<ServerServiceDefinition> getServices() {
    return server.getServices();
  }

  @Override
  public List<ServerServiceDefinition> getImmutableServices() {
    return server.getImmutableServices();
  }

  @Override
  public List<ServerServiceDefinition> getMutableServices() {
    return server.getMutableServices();
  }

  @Override
  public MeshGrpcServer shutdown() {
    server.shutdown();
    port.close();
    return this;
  }

  @Override
  public MeshGrpcServer shutdownNow() {
    server.shutdownNow();
    port.close();
    return this;
  }

  @Override
  public boolean isShutdown() {
    return server.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return server.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return server.awaitTermination(timeout, unit);
  }

  @Override
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public String toString() {
    return "MeshGrpcServer{port=" + port.port() + ", " + server + "}";
  }
}

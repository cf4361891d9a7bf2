package io.mesh4j.grpc;

import io.grpc.ForwardingServerBuilder;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.mesh4j.runtime.inbound.InboundPort;
import io.mesh4j.runtime.inbound.grpc.InboundServerInterceptor;
import io.mesh4j.runtime.inbound.grpc.MeshNegotiatorFactory;
import io.mesh4j.runtime.metrics.InboundMetrics;
import java.io.File;
import java.io.InputStream;
import java.time.Duration;

/**
 * Builds a gRPC server whose port is served under the mesh (from {@link MeshGrpc#newServerBuilder}): the mesh owns
 * the socket and its TLS. Add services, interceptors and executors as on any {@link ServerBuilder}; transport
 * security is not set here: it comes from the server listener's filter chains (mutual TLS, plaintext, or both on one
 * port under PERMISSIVE).
 */
public final class MeshServerBuilder extends ForwardingServerBuilder<MeshServerBuilder> {
  private final InboundPort port;
  private final NettyServerBuilder delegate;
  private InboundMetrics metrics;

  private MeshServerBuilder(InboundPort port, Duration sniffTimeout) {
    this.port = port;
    this.delegate = NettyServerBuilder.forPort(port.port(), MeshNegotiatorFactory.credentials(port, sniffTimeout));
  }

  /** A builder over an open port: what {@link MeshGrpc#newServerBuilder} returns, and tests build directly. */
  static MeshServerBuilder forInboundPort(InboundPort port, Duration sniffTimeout) {
    return new MeshServerBuilder(port, sniffTimeout);
  }

  /** Where served calls are recorded (reporter {@code destination}); null (the default) records nothing. */
  MeshServerBuilder recordingInto(InboundMetrics metrics) {
    this.metrics = metrics;
    return this;
  }

  @Override
  protected ServerBuilder<?> delegate() {
    return delegate;
  }

  /** Not supported: the server listener's filter chains say how each connection is secured. */
  @Override
  public MeshServerBuilder useTransportSecurity(File certChain, File privateKey) {
    throw new UnsupportedOperationException(
        "the mesh terminates TLS with the certificates and modes of the server listener's filter chains");
  }

  /** Not supported: the server listener's filter chains say how each connection is secured. */
  @Override
  public MeshServerBuilder useTransportSecurity(InputStream certChain, InputStream privateKey) {
    throw new UnsupportedOperationException(
        "the mesh terminates TLS with the certificates and modes of the server listener's filter chains");
  }

  /**
   * The server. The mesh's filter chains run before every interceptor added here, so that a call the mesh refuses
   * reaches none of the application's code.
   */
  @Override
  public MeshGrpcServer build() {
    // Interceptors run in the reverse order they were added: the last one added runs first.
    delegate.intercept(new InboundServerInterceptor(port, metrics));
    return new MeshGrpcServer(delegate.build(), port);
  }
}

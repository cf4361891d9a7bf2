package io.mesh4j.runtime.inbound.grpc;

import io.grpc.ServerCredentials;
import io.grpc.internal.ObjectPool;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import io.mesh4j.runtime.inbound.InboundPort;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The server credentials of the mesh's gRPC server: each accepted connection waits until active, then a
 * {@link ChainSelectingHandler} sniffs it and installs its filter chain's TLS or plaintext. TLS or not is decided
 * per connection, which is what lets PERMISSIVE serve both kinds of client on one port.
 */
public final class MeshNegotiatorFactory implements InternalProtocolNegotiator.ServerFactory {
  /** How long a new connection may take to send bytes that tell TLS from plaintext. */
  public static final Duration DEFAULT_SNIFF_TIMEOUT = Duration.ofSeconds(10);
  private static final AsciiString SCHEME = AsciiString.of("https");

  private final InboundPort port;
  private final long sniffTimeoutNanos;

  private MeshNegotiatorFactory(InboundPort port, Duration sniffTimeout) {
    this.port = port;
    this.sniffTimeoutNanos = sniffTimeout.toNanos();
  }

  /** Credentials for a Netty server that serves {@code port} by its filter chains. */
  public static ServerCredentials credentials(InboundPort port, Duration sniffTimeout) {
    return InternalNettyServerCredentials.create(new MeshNegotiatorFactory(port, sniffTimeout));
  }

  @Override
  public InternalProtocolNegotiator.ProtocolNegotiator newNegotiator(ObjectPool<? extends Executor> offloadExecutors) {
    return new InternalProtocolNegotiator.ProtocolNegotiator() {
      @Override
      public AsciiString scheme() {
        return SCHEME;
      }

      @Override
      public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        return InternalProtocolNegotiators.waitUntilActiveHandler(
            new ChainSelectingHandler(grpcHandler, port, sniffTimeoutNanos), grpcHandler.getNegotiationLogger());
      }

      @Override
      public void close() {}
    };
  }
}

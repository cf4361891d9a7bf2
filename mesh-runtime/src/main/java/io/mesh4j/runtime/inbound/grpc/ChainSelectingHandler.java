package io.mesh4j.runtime.inbound.grpc;

import io.grpc.Attributes;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import io.grpc.netty.shaded.io.netty.util.concurrent.ScheduledFuture;
import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.InboundChain;
import io.mesh4j.runtime.inbound.InboundPort;
import io.mesh4j.runtime.inbound.transport.ClientHelloSniffer;
import io.mesh4j.runtime.inbound.transport.SniffResult;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of an accepted connection: holds its first bytes until they tell TLS from plaintext (with the
 * ClientHello's SNI and ALPN), asks the port for the filter chain, then puts in its place the chain's TLS
 * termination or plain HTTP/2 and replays the bytes to it. No chain (no listener yet, or none matches), a ClientHello
 * too large, or no decision within the sniff timeout: the connection is closed, as Envoy closes it.
 */
final class ChainSelectingHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ChainSelectingHandler.class);

  private final GrpcHttp2ConnectionHandler grpcHandler;
  private final InboundPort port;
  private final long sniffTimeoutNanos;
  private ProtocolNegotiationEvent negotiation;
  private ByteBuf firstBytes;
  private ScheduledFuture<?> timeout;
  private boolean decided;

  ChainSelectingHandler(GrpcHttp2ConnectionHandler grpcHandler, InboundPort port, long sniffTimeoutNanos) {
    this.grpcHandler = grpcHandler;
    this.port = port;
    this.sniffTimeoutNanos = sniffTimeoutNanos;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (!(event instanceof ProtocolNegotiationEvent pne)) {
      super.userEventTriggered(ctx, event);
      return;
    }
    // The channel is active: the client's first bytes are on their way.
    negotiation = pne;
    timeout = ctx.executor().schedule(() -> {
      if (!decided) {
        log.debug("mesh4j inbound port {}: no decidable first bytes from {} in time, closing",
            port.port(), ctx.channel().remoteAddress());
        close(ctx);
      }
    }, sniffTimeoutNanos, TimeUnit.NANOSECONDS);
    decide(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (decided || !(message instanceof ByteBuf bytes)) {
      ReferenceCountUtil.release(message);
      return;
    }
    if (firstBytes == null) {
      firstBytes = ctx.alloc().buffer(Math.max(bytes.readableBytes(), 512));
    }
    if (firstBytes.readableBytes() + bytes.readableBytes() > ClientHelloSniffer.MAX_SNIFFED_BYTES) {
      bytes.release();
      close(ctx);
      return;
    }
    firstBytes.writeBytes(bytes);
    bytes.release();
    decide(ctx);
  }

  private void decide(ChannelHandlerContext ctx) {
    if (decided || negotiation == null || firstBytes == null) {
      return;
    }
    SniffResult sniffed = ClientHelloSniffer.sniff(firstBytes.nioBuffer());
    if (!sniffed.done()) {
      return;
    }
    if (sniffed.state() == SniffResult.State.TOO_LARGE) {
      log.debug("mesh4j inbound port {}: ClientHello over {} bytes from {}, closing", port.port(),
          ClientHelloSniffer.MAX_CLIENT_HELLO_BYTES, ctx.channel().remoteAddress());
      close(ctx);
      return;
    }
    ConnectionFacts facts = new ConnectionFacts((InetSocketAddress) ctx.channel().localAddress(),
        (InetSocketAddress) ctx.channel().remoteAddress(), sniffed.transportProtocol(), sniffed.serverName(),
        sniffed.applicationProtocols());
    InboundChain chain;
    try {
      chain = port.chainFor(facts);
    } catch (RuntimeException e) {
      log.warn("mesh4j inbound port {}: choosing a filter chain failed, closing the connection", port.port(), e);
      chain = null;
    }
    if (chain == null) {
      log.debug("mesh4j inbound port {}: no filter chain for {}, closing", port.port(), facts);
      close(ctx);
      return;
    }
    decided = true;
    timeout.cancel(false);
    Attributes.Builder attributes = InternalProtocolNegotiationEvent.getAttributes(negotiation).toBuilder()
        .set(InboundAttributes.CHAIN, chain);
    ChannelHandler next;
    if (chain.tls() == null) {
      attributes.set(InboundAttributes.CONNECTION, new DownstreamConnection(facts, null));
      next = InternalProtocolNegotiators.grpcNegotiationHandler(grpcHandler);
    } else {
      next = new ChainTlsHandler(grpcHandler, chain.tls(), facts);
    }
    ProtocolNegotiationEvent selected = InternalProtocolNegotiationEvent.withAttributes(negotiation, attributes.build());
    ByteBuf replay = firstBytes;
    firstBytes = null;
    ctx.pipeline().replace(this, null, next);
    ctx.fireUserEventTriggered(selected);
    // From the pipeline's head: a TLS chain put its SslHandler in front of the handler that replaced this one.
    ctx.pipeline().fireChannelRead(replay);
  }

  private void close(ChannelHandlerContext ctx) {
    decided = true;
    release();
    if (timeout != null) {
      timeout.cancel(false);
    }
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    release();
    if (timeout != null) {
      timeout.cancel(false);
    }
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  private void release() {
    if (firstBytes != null) {
      firstBytes.release();
      firstBytes = null;
    }
  }
}

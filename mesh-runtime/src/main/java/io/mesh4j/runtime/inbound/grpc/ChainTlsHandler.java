package io.mesh4j.runtime.inbound.grpc;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.InternalChannelz;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import io.grpc.internal.GrpcAttributes;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.PeerIdentity;
import io.mesh4j.runtime.inbound.ServerTls;
import io.mesh4j.runtime.inbound.transport.TlsPeers;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * Terminates TLS with a filter chain's {@link ServerTls} (a JSSE engine over the mesh's rotating key and trust
 * managers, so a rotation needs no restart and this connection keeps its handshake), requires ALPN {@code h2} as
 * gRPC does, then hands the connection to gRPC with its TLS session and the client's identity.
 */
final class ChainTlsHandler extends ChannelInboundHandlerAdapter {
  private static final String[] H2 = {"h2"};

  private final GrpcHttp2ConnectionHandler grpcHandler;
  private final ServerTls tls;
  private final ConnectionFacts facts;
  private ProtocolNegotiationEvent negotiation;

  ChainTlsHandler(GrpcHttp2ConnectionHandler grpcHandler, ServerTls tls, ConnectionFacts facts) {
    this.grpcHandler = grpcHandler;
    this.tls = tls;
    this.facts = facts;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    SSLEngine engine = tls.newEngine();
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setApplicationProtocols(H2);
    engine.setSSLParameters(parameters);
    ctx.pipeline().addBefore(ctx.name(), null, new SslHandler(engine, false));
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof ProtocolNegotiationEvent pne) {
      negotiation = pne;
    } else if (event instanceof SslHandshakeCompletionEvent handshake) {
      if (!handshake.isSuccess()) {
        ctx.fireExceptionCaught(handshake.cause());
        return;
      }
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      if (!"h2".equals(ssl.engine().getApplicationProtocol())) {
        ctx.fireExceptionCaught(Status.UNAVAILABLE
            .withDescription("mesh: the client did not negotiate ALPN h2, which gRPC needs").asRuntimeException());
        return;
      }
      SSLSession session = ssl.engine().getSession();
      PeerIdentity peer = TlsPeers.identity(session);
      Attributes.Builder attributes = InternalProtocolNegotiationEvent.getAttributes(negotiation).toBuilder()
          .set(GrpcAttributes.ATTR_SECURITY_LEVEL, SecurityLevel.PRIVACY_AND_INTEGRITY)
          .set(Grpc.TRANSPORT_ATTR_SSL_SESSION, session)
          .set(InboundAttributes.CONNECTION, new DownstreamConnection(facts, peer));
      if (peer != null) {
        attributes.set(InboundAttributes.PEER, TlsPeers.forApplication(peer));
      }
      ProtocolNegotiationEvent done = InternalProtocolNegotiationEvent.withSecurity(
          InternalProtocolNegotiationEvent.withAttributes(negotiation, attributes.build()),
          new InternalChannelz.Security(new InternalChannelz.Tls(session)));
      ctx.pipeline().replace(this, null, InternalProtocolNegotiators.grpcNegotiationHandler(grpcHandler));
      ctx.fireUserEventTriggered(done);
    } else {
      super.userEventTriggered(ctx, event);
    }
  }
}

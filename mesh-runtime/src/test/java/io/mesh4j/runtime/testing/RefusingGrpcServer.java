package io.mesh4j.runtime.testing;

import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelDuplexHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameStream;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersFrame;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bare HTTP/2 server answering every gRPC call with its name (as {@link NamedGrpcServer#HELLO} reads it) that refuses
 * every {@code n}-th stream of a connection unprocessed, with {@code RST_STREAM(REFUSED_STREAM)} (a call naming itself
 * with {@link #CALL_ID} at most once, a call without every time it comes up): what an HTTP/2
 * server says of a stream it never handed to its application (RFC 9113, section 8.7), over its concurrency limit or
 * while it drains, so that the client may send it again. The refused stream's request is never read.
 */
public final class RefusingGrpcServer implements AutoCloseable {
  private final String name;
  private final int refuseEvery;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final java.util.Set<String> refusedCalls = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** A request header naming a call: a stream carrying an id already refused once is answered. */
  public static final io.grpc.Metadata.Key<String> CALL_ID =
      io.grpc.Metadata.Key.of("x-call-id", io.grpc.Metadata.ASCII_STRING_MARSHALLER);

  private RefusingGrpcServer(String name, int refuseEvery) {
    this.name = name;
    this.refuseEvery = refuseEvery;
    server = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            connections.incrementAndGet();
            channel.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(), new Calls());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .syncUninterruptibly()
        .channel();
  }

  /** A server refusing the {@code refuseEvery}-th stream of each connection, and every one after as many more. */
  public static RefusingGrpcServer start(String name, int refuseEvery) {
    return new RefusingGrpcServer(name, refuseEvery);
  }

  /** One connection's streams: each is answered as soon as its headers arrive (its message is not read), or refused. */
  private final class Calls extends ChannelDuplexHandler {
    private int streams;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object frame) {
      try {
        if (frame instanceof Http2HeadersFrame headers) {
          CharSequence id = headers.headers().get(CALL_ID.name());
          if (++streams % refuseEvery == 0 && (id == null || refusedCalls.add(id.toString()))) {
            refused.incrementAndGet();
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM).stream(headers.stream()));
          } else {
            answer(ctx, headers.stream());
          }
        }
      } finally {
        ReferenceCountUtil.release(frame);
      }
    }

    private void answer(ChannelHandlerContext ctx, Http2FrameStream stream) {
      byte[] message = name.getBytes(StandardCharsets.UTF_8);
      ByteBuf body = ctx.alloc().buffer(5 + message.length);
      body.writeByte(0).writeInt(message.length).writeBytes(message); // gRPC's length-prefixed message
      ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
          .set("content-type", "application/grpc")).stream(stream));
      ctx.write(new DefaultHttp2DataFrame(body).stream(stream));
      ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0"), true)
          .stream(stream));
      answered.incrementAndGet();
    }
  }

  public String name() {
    return name;
  }

  /** {@code 127.0.0.1:port}, as an endpoint address. */
  public String hostPort() {
    return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Connections accepted so far. */
  public int connectionCount() {
    return connections.get();
  }

  /** Streams refused so far. */
  public int refusedCount() {
    return refused.get();
  }

  /** Calls answered so far. */
  public int answeredCount() {
    return answered.get();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }
}

package io.mesh4j.runtime.testing;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real gRPC server on an ephemeral loopback port serving {@code test.Echo/Hello} and {@code test.Echo/Other}
 * (string messages, no generated code) that answer with the server's name, and remembers the authority it was last
 * called with. A request {@code "fail:CODE"} is answered with that status.
 */
public final class NamedGrpcServer implements AutoCloseable {
  public static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  public static final MethodDescriptor<String, String> HELLO = method("test.Echo/Hello");
  public static final MethodDescriptor<String, String> OTHER = method("test.Echo/Other");

  private final String name;
  private final Server server;
  private final AtomicReference<String> lastAuthority = new AtomicReference<>();
  private final AtomicReference<Metadata> lastHeaders = new AtomicReference<>();
  /** A response header every answer carries (in its headers, or its trailers when it fails). */
  public static final Metadata.Key<String> FROM_SERVER = Metadata.Key.of("x-from-server", Metadata.ASCII_STRING_MARSHALLER);

  private final Set<String> clientSerials = ConcurrentHashMap.newKeySet();

  private NamedGrpcServer(String name) {
    this(name, InsecureServerCredentials.create());
  }

  private NamedGrpcServer(String name, ServerCredentials credentials) {
    this(name, Grpc.newServerBuilderForPort(0, credentials));
  }

  private NamedGrpcServer(String name, ServerBuilder<?> builder) {
    this.name = name;
    ServerCalls.UnaryMethod<String, String> answer = (request, observer) -> {
      if (request.startsWith("fail:")) {
        observer.onError(Status.fromCode(Status.Code.valueOf(request.substring(5))).asRuntimeException());
        return;
      }
      observer.onNext(name);
      observer.onCompleted();
    };
    ServerServiceDefinition service = ServerServiceDefinition.builder("test.Echo")
        .addMethod(HELLO, ServerCalls.asyncUnaryCall(answer))
        .addMethod(OTHER, ServerCalls.asyncUnaryCall(answer))
        .build();
    ServerInterceptor recordAuthority = new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        lastAuthority.set(call.getAuthority());
        lastHeaders.set(headers);
        javax.net.ssl.SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session != null) {
          try {
            clientSerials.add(((java.security.cert.X509Certificate) session.getPeerCertificates()[0])
                .getSerialNumber().toString(16));
          } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            // one-way TLS
          }
        }
        return next.startCall(new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          private boolean headersSent;

          @Override
          public void sendHeaders(Metadata responseHeaders) {
            headersSent = true;
            responseHeaders.put(FROM_SERVER, name);
            super.sendHeaders(responseHeaders);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            if (!headersSent) {
              trailers.put(FROM_SERVER, name); // trailers-only: they are the response headers
            }
            super.close(status, trailers);
          }
        }, headers);
      }
    };
    try {
      server = builder
          .addService(ServerInterceptors.intercept(service, recordAuthority))
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MethodDescriptor<String, String> method(String fullName) {
    return MethodDescriptor.<String, String>newBuilder(STRING, STRING)
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(fullName)
        .build();
  }

  public static NamedGrpcServer start(String name) {
    return new NamedGrpcServer(name);
  }

  /** A server with {@code credentials}, e.g. TLS requiring client certificates. */
  public static NamedGrpcServer start(String name, ServerCredentials credentials) {
    return new NamedGrpcServer(name, credentials);
  }

  /**
   * A server with {@code credentials} that closes each connection gracefully once it is {@code maxConnectionAge} old
   * (HTTP/2 GOAWAY, calls under way finish): clients keep opening new connections, as behind a server that rotates
   * its connections.
   */
  public static NamedGrpcServer startCyclingConnections(String name, ServerCredentials credentials,
      java.time.Duration maxConnectionAge) {
    return new NamedGrpcServer(name, NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), credentials)
        .maxConnectionAge(maxConnectionAge.toNanos(), TimeUnit.NANOSECONDS)
        .maxConnectionAgeGrace(30, TimeUnit.SECONDS));
  }

  /** Serial numbers (hex) of the client certificates seen over TLS. */
  public Set<String> clientSerials() {
    return Set.copyOf(clientSerials);
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.getPort();
  }

  /** {@code 127.0.0.1:port}, as an endpoint address. */
  public String hostPort() {
    return "127.0.0.1:" + port();
  }

  /** The request metadata of the last call served, or {@code null}. */
  public Metadata lastHeaders() {
    return lastHeaders.get();
  }

  /** The {@code :authority} of the last call served, or {@code null}. */
  public String lastAuthority() {
    return lastAuthority.get();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

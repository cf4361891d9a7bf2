package io.mesh4j.runtime.testing;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real gRPC server on loopback that misbehaves on command, to drive the mesh's retries and timeouts. Every call
 * records the {@code grpc-previous-rpc-attempts} it carried ({@code 0} when absent), the attempt number from the
 * server's point of view.
 *
 * <ul>
 *   <li>{@link #UNARY} ({@code test.Behave/Unary}): {@code "ok"} answers the server's name; {@code "fail-first:N:CODE"}
 *       fails while fewer than N attempts came before; {@code "fail-on:NAME:CODE"} fails on the server so named;
 *       {@code "fail:CODE"} always fails;
 *       {@code "sleep:MS"} answers after MS ms;
 *       {@code "sleep-first:MS"} sleeps on the first attempt only; {@code "hang"} never answers.
 *   <li>{@link #STREAM} ({@code test.Behave/Stream}, server streaming): one message, then UNAVAILABLE.
 *   <li>{@link #UPLOAD} ({@code test.Behave/Upload}, client streaming): on the first attempt UNAVAILABLE once the
 *       client half-closes, later the total length of the messages received.
 * </ul>
 *
 * A server started with a behavior of its own ({@link #start(String, String)}) acts it on every unary call, whatever
 * the request says: a fleet in which some servers fail or never answer.
 */
public final class BehavingGrpcServer implements AutoCloseable {
  public static final MethodDescriptor<String, String> UNARY = method("test.Behave/Unary", MethodDescriptor.MethodType.UNARY);
  public static final MethodDescriptor<String, String> STREAM =
      method("test.Behave/Stream", MethodDescriptor.MethodType.SERVER_STREAMING);
  public static final MethodDescriptor<String, String> UPLOAD =
      method("test.Behave/Upload", MethodDescriptor.MethodType.CLIENT_STREAMING);

  private static final Metadata.Key<String> PREVIOUS =
      Metadata.Key.of("grpc-previous-rpc-attempts", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<Integer> ATTEMPT = Context.key("previous-attempts");

  private final String name;
  private final String fixedBehavior;
  private final Server server;
  private final List<Integer> previousAttempts = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger inFlight = new AtomicInteger();

  private BehavingGrpcServer(String name, String fixedBehavior) {
    this.name = name;
    this.fixedBehavior = fixedBehavior;
    ServerServiceDefinition service = ServerServiceDefinition.builder("test.Behave")
        .addMethod(UNARY, ServerCalls.asyncUnaryCall(this::unary))
        .addMethod(STREAM, ServerCalls.asyncServerStreamingCall((request, observer) -> {
          observer.onNext(name);
          observer.onError(Status.UNAVAILABLE.withDescription("after one message").asRuntimeException());
        }))
        .addMethod(UPLOAD, ServerCalls.asyncClientStreamingCall(this::upload))
        .build();
    ServerInterceptor recordAttempt = new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        String previous = headers.get(PREVIOUS);
        int attempt = previous == null ? 0 : Integer.parseInt(previous);
        previousAttempts.add(attempt);
        return Contexts.interceptCall(Context.current().withValue(ATTEMPT, attempt), call, headers, next);
      }
    };
    try {
      server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
          .addService(ServerInterceptors.intercept(service, recordAttempt))
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void unary(String request, StreamObserver<String> observer) {
    int previous = ATTEMPT.get();
    String[] parts = (fixedBehavior != null ? fixedBehavior : request).split(":");
    try {
      switch (parts[0]) {
        case "fail-first":
          if (previous < Integer.parseInt(parts[1])) {
            observer.onError(Status.fromCode(Status.Code.valueOf(parts[2])).asRuntimeException());
            return;
          }
          break;
        case "fail":
          observer.onError(Status.fromCode(Status.Code.valueOf(parts[1])).asRuntimeException());
          return;
        case "fail-on":
          if (name.equals(parts[1])) {
            observer.onError(Status.fromCode(Status.Code.valueOf(parts[2])).asRuntimeException());
            return;
          }
          break;
        case "sleep":
          sleep(Long.parseLong(parts[1]));
          break;
        case "sleep-first":
          if (previous == 0) {
            sleep(Long.parseLong(parts[1]));
          }
          break;
        case "hang":
          inFlight.incrementAndGet();
          Context.current().addListener(context -> inFlight.decrementAndGet(), Runnable::run);
          return;
        default:
          break;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    observer.onNext(name + ":" + previous);
    observer.onCompleted();
  }

  private static void sleep(long millis) throws InterruptedException {
    // Stop early when the client has gone: the call's context is cancelled.
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < end && !Context.current().isCancelled()) {
      Thread.sleep(5);
    }
  }

  private StreamObserver<String> upload(StreamObserver<String> observer) {
    int previous = ATTEMPT.get();
    return new StreamObserver<>() {
      private long length;

      @Override
      public void onNext(String value) {
        length += value.length();
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        if (previous == 0) {
          observer.onError(Status.UNAVAILABLE.withDescription("first upload attempt").asRuntimeException());
          return;
        }
        observer.onNext(Long.toString(length));
        observer.onCompleted();
      }
    };
  }

  private static MethodDescriptor<String, String> method(String fullName, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<String, String>newBuilder(NamedGrpcServer.STRING, NamedGrpcServer.STRING)
        .setType(type)
        .setFullMethodName(fullName)
        .build();
  }

  public static BehavingGrpcServer start(String name) {
    return new BehavingGrpcServer(name, null);
  }

  /** A server that acts {@code behavior} (e.g. {@code "fail:UNAVAILABLE"}, {@code "hang"}) on every unary call. */
  public static BehavingGrpcServer start(String name, String behavior) {
    return new BehavingGrpcServer(name, behavior);
  }

  /** {@code 127.0.0.1:port}, as an endpoint address. */
  public String hostPort() {
    return "127.0.0.1:" + server.getPort();
  }

  /** The {@code grpc-previous-rpc-attempts} of every call received, in order (0 when absent). */
  public List<Integer> previousAttempts() {
    synchronized (previousAttempts) {
      return List.copyOf(previousAttempts);
    }
  }

  /** Calls received so far. */
  public int calls() {
    return previousAttempts.size();
  }

  /** {@code "hang"} calls still open. */
  public int hanging() {
    return inFlight.get();
  }

  public void clear() {
    previousAttempts.clear();
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

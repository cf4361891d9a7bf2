package io.mesh4j.runtime.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.engine.RoutingDecision;
import java.io.InterruptedIOException;
import java.util.concurrent.Executor;

/**
 * One gRPC call through the mesh. Routing needs the call's metadata, which only {@link #start} has, so the endpoint
 * is chosen there: the engine routes {@code /package.Service/Method} plus metadata exactly as it routes an HTTP
 * path plus headers, and the call continues as a {@link RoutedCall} (attempts on endpoint channels, with the
 * route's timeouts and retries and the cluster's circuit breakers). When the mesh cannot route, the call
 * closes with {@code UNAVAILABLE} naming the reason, delivered on the call's executor as gRPC does.
 *
 * <p>By the {@link ClientCall} contract every method but {@link #cancel} comes after {@code start} on the caller's
 * side; {@code cancel} may race with {@code start}, which the volatile fields settle.
 */
final class MeshClientCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {
  private final MeshChannel channel;
  private final MethodDescriptor<ReqT, RespT> method;
  private final CallOptions callOptions;
  private final Executor callbackExecutor;
  private volatile ClientCall<ReqT, RespT> delegate;
  private volatile Status cancelled;

  MeshClientCall(MeshChannel channel, MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Executor fallback) {
    this.channel = channel;
    this.method = method;
    this.callOptions = callOptions;
    this.callbackExecutor = callOptions.getExecutor() != null ? callOptions.getExecutor() : fallback;
  }

  @Override
  public void start(Listener<RespT> listener, Metadata headers) {
    if (cancelled != null) {
      closeLocally(listener, cancelled);
      return;
    }
    MeshChannel.Selection selection;
    try {
      selection = channel.select(method.getFullMethodName(), callOptions, headers);
    } catch (MeshRoutingException e) {
      closeLocally(listener, GrpcStatuses.fromRouting(e));
      return;
    } catch (InterruptedIOException e) {
      closeLocally(listener, GrpcStatuses.interrupted(e));
      return;
    }
    RoutingDecision decision = selection.decision();
    if (decision != null && decision.localReply() != null) {
      decision.complete();
      closeLocally(listener, GrpcStatuses.fromLocalReply(decision.localReply()));
      return;
    }
    // A routed call runs its attempts with the router's timeouts, retries and circuit breakers; pass-through is
    // a plain call on the direct channel.
    ClientCall<ReqT, RespT> call = decision == null
        ? selection.channel().newCall(method, callOptions)
        : new RoutedCall<>(channel, method, callOptions, decision, selection.request(), selection.tls(),
            channel.environment(), callbackExecutor);
    delegate = call;
    call.start(listener, headers);
    Status cancel = cancelled;
    if (cancel != null) {
      call.cancel(cancel.getDescription(), cancel.getCause());
    }
  }

  private void closeLocally(Listener<RespT> listener, Status status) {
    callbackExecutor.execute(() -> listener.onClose(status, new Metadata()));
  }

  @Override
  public void request(int numMessages) {
    ClientCall<ReqT, RespT> call = delegate;
    if (call != null) {
      call.request(numMessages);
    }
  }

  @Override
  public void cancel(String message, Throwable cause) {
    if (cancelled == null) {
      cancelled = Status.CANCELLED.withDescription(message).withCause(cause);
    }
    ClientCall<ReqT, RespT> call = delegate;
    if (call != null) {
      call.cancel(message, cause);
    }
  }

  @Override
  public void halfClose() {
    ClientCall<ReqT, RespT> call = delegate;
    if (call != null) {
      call.halfClose();
    }
  }

  @Override
  public void sendMessage(ReqT message) {
    ClientCall<ReqT, RespT> call = delegate;
    if (call != null) {
      call.sendMessage(message);
    }
  }

  @Override
  public boolean isReady() {
    ClientCall<ReqT, RespT> call = delegate;
    return call != null && call.isReady();
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    ClientCall<ReqT, RespT> call = delegate;
    if (call != null) {
      call.setMessageCompression(enabled);
    }
  }

  @Override
  public io.grpc.Attributes getAttributes() {
    ClientCall<ReqT, RespT> call = delegate;
    return call != null ? call.getAttributes() : io.grpc.Attributes.EMPTY;
  }
}

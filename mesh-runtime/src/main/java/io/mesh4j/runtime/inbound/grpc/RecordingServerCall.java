package io.mesh4j.runtime.inbound.grpc;

import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.mesh4j.runtime.metrics.InboundMetrics;
import io.mesh4j.runtime.metrics.RequestLabels;
import io.mesh4j.runtime.metrics.ResponseFlags;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A served call that records itself (reporter {@code destination}) once, when it is closed or the client cancels
 * it: {@code response_code} 200 (gRPC answers every call, local replies included, with HTTP 200 and a
 * {@code grpc-status}, as Envoy converts its local replies for gRPC), {@code grpc_response_status} the closing status,
 * {@code DC} when the client went away first. Bytes are the messages' protobuf sizes plus gRPC's 5-byte frame prefix
 * (messages of other marshallers count as 0).
 */
final class RecordingServerCall<Q, A> extends SimpleForwardingServerCall<Q, A> {
  private static final int FRAME_PREFIX = 5;

  private final InboundMetrics metrics;
  private final long startNanos;
  private final String service;
  private final String peerPrincipal;
  private final AtomicBoolean recorded = new AtomicBoolean();
  private volatile long requestBytes;
  private volatile long responseBytes;

  RecordingServerCall(ServerCall<Q, A> call, InboundMetrics metrics, long startNanos, String peerPrincipal) {
    super(call);
    this.metrics = metrics;
    this.startNanos = startNanos;
    this.service = InboundMetrics.hostOf(call.getAuthority());
    this.peerPrincipal = peerPrincipal;
  }

  @Override
  public void sendMessage(A message) {
    responseBytes += size(message);
    super.sendMessage(message);
  }

  @Override
  public void close(Status status, Metadata trailers) {
    record(status.getCode().value(), ResponseFlags.NONE);
    super.close(status, trailers);
  }

  /** The application's listener, counting what the client sends and recording a cancellation. */
  ServerCall.Listener<Q> listen(ServerCall.Listener<Q> listener) {
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(Q message) {
        requestBytes += size(message);
        super.onMessage(message);
      }

      @Override
      public void onCancel() {
        record(Status.Code.CANCELLED.value(), ResponseFlags.DC);
        super.onCancel();
      }
    };
  }

  private void record(int grpcStatus, int flags) {
    if (recorded.compareAndSet(false, true)) {
      metrics.record(startNanos, service, peerPrincipal, null, RequestLabels.GRPC, 200, grpcStatus, flags,
          requestBytes, responseBytes);
    }
  }

  private static long size(Object message) {
    return message instanceof MessageLite lite ? lite.getSerializedSize() + FRAME_PREFIX : 0;
  }
}

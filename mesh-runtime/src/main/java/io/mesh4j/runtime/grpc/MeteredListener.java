package io.mesh4j.runtime.grpc;

import com.google.protobuf.MessageLite;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import io.grpc.Status;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.metrics.OutboundCall;
import io.mesh4j.runtime.metrics.ResponseFlags;
import java.security.cert.Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The application's listener of a gRPC call with metrics on: counts response bytes and records the call when it
 * closes. The outcome reads as Envoy logs a gRPC call: HTTP 200 with the gRPC status when the upstream answered
 * (trailers-only included), the mesh's status and flag when it refused the call, 503 with UF/UC or 504 UT when no
 * attempt got an answer, 0 DC when the caller cancelled.
 */
final class MeteredListener<RespT> extends ClientCall.Listener<RespT> {
  private final ClientCall.Listener<RespT> delegate;
  private final OutboundCall record;
  private final MethodDescriptor<?, RespT> method;
  private volatile boolean headers;

  MeteredListener(ClientCall.Listener<RespT> delegate, OutboundCall record, MethodDescriptor<?, RespT> method) {
    this.delegate = delegate;
    this.record = record;
    this.method = method;
  }

  @Override
  public void onHeaders(Metadata responseHeaders) {
    headers = true;
    delegate.onHeaders(responseHeaders);
  }

  @Override
  public void onMessage(RespT message) {
    record.addResponseBytes(message instanceof MessageLite lite ? lite.getSerializedSize()
        : streamedSize(method.streamResponse(message)));
    delegate.onMessage(message);
  }

  @Override
  public void onReady() {
    delegate.onReady();
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    if (!record.isFinished()) {
      int code = status.getCode().value();
      if (status.getCause() instanceof MeshRoutingException refused) {
        record.failed(refused, code);
      } else if (status.getCode() == Status.Code.CANCELLED && !headers) {
        record.cancelled(code);
      } else if (status.getCode() == Status.Code.DEADLINE_EXCEEDED && !headers) {
        record.finish(504, code, ResponseFlags.UT);
      } else if (headers || record.attempted() && !record.attemptFailed()) {
        record.answered(200, code);
      } else {
        record.upstreamFailed(code);
      }
    }
    delegate.onClose(status, trailers);
  }

  /** A request message's size: protobuf's cached size, else what its marshaller's stream says is left. */
  static <ReqT> long requestSize(MethodDescriptor<ReqT, ?> method, ReqT message) {
    return message instanceof MessageLite lite ? lite.getSerializedSize() : streamedSize(method.streamRequest(message));
  }

  private static long streamedSize(InputStream stream) {
    try (stream) {
      return Math.max(0, stream.available());
    } catch (IOException e) {
      return 0;
    }
  }

  /** The TLS peer of the attempt that answered, for the principal labels. */
  static void notePeer(OutboundCall record, ClientCall<?, ?> call) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return;
    }
    Certificate peer = null;
    try {
      Certificate[] peers = session.getPeerCertificates();
      peer = peers.length == 0 ? null : peers[0];
    } catch (SSLPeerUnverifiedException e) {
      // no verified peer: the principal stays unknown
    }
    Certificate[] local = session.getLocalCertificates();
    record.tls(peer, local == null || local.length == 0 ? null : local[0]);
  }
}

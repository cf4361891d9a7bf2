package io.mesh4j.runtime.okhttp;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.metrics.OutboundCall;
import io.mesh4j.runtime.metrics.ResponseFlags;
import java.io.IOException;
import java.security.cert.Certificate;
import java.util.List;
import okhttp3.Handshake;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * One routed hop with metrics on: notes the outcome in its {@link OutboundCall} and records it when the response
 * body is complete (read to the end or closed), as Istio's duration covers the whole response; a failure before
 * that records the failure. Only used when the application gave a registry.
 */
final class MeteredHop {
  private MeteredHop() {}

  static Response hop(MeshInterceptor interceptor, Interceptor.Chain chain, Request request, OkHttpRequestView view,
      String target, AsyncCallExecutor.Scope async, OutboundCall record) throws IOException {
    if (request.body() != null) {
      record.addRequestBytes(request.body().contentLength());
    }
    Response response;
    try {
      response = interceptor.routedHop(chain, request, view, target, async, record);
    } catch (MeshRoutingException e) {
      record.failed(e, -1);
      throw e;
    } catch (IOException | RuntimeException e) {
      if (chain.call().isCanceled()) {
        record.cancelled(-1);
      } else {
        record.upstreamFailed(-1);
      }
      throw e;
    }
    if (record.isFinished()) {
      return response; // a local reply, or not routed by the mesh (nothing to record)
    }
    Handshake handshake = response.handshake();
    if (handshake != null) {
      record.tls(first(handshake.peerCertificates()), first(handshake.localCertificates()));
    }
    return response.newBuilder().body(new CountingBody(response.body(), response.code(), record, chain)).build();
  }

  private static Certificate first(List<Certificate> certificates) {
    return certificates.isEmpty() ? null : certificates.get(0);
  }

  /** Counts the response body's bytes and records the call once when the body ends. */
  private static final class CountingBody extends ResponseBody {
    private final ResponseBody delegate;
    private final BufferedSource source;

    CountingBody(ResponseBody delegate, int status, OutboundCall record, Interceptor.Chain chain) {
      this.delegate = delegate;
      this.source = Okio.buffer(new ForwardingSource(delegate.source()) {
        @Override
        public long read(Buffer sink, long byteCount) throws IOException {
          long read;
          try {
            read = super.read(sink, byteCount);
          } catch (IOException e) {
            int flag = e instanceof MeshRoutingException m ? ResponseFlags.of(m)
                : chain.call().isCanceled() ? ResponseFlags.DC : ResponseFlags.UC;
            record.finish(status, -1, flag);
            throw e;
          }
          if (read == -1) {
            record.answered(status, -1);
          } else {
            record.addResponseBytes(read);
          }
          return read;
        }

        @Override
        public void close() throws IOException {
          try {
            super.close();
          } finally {
            record.answered(status, -1);
          }
        }
      });
    }

    @Override
    public MediaType contentType() {
      return delegate.contentType();
    }

    @Override
    public long contentLength() {
      return delegate.contentLength();
    }

    @Override
    public BufferedSource source() {
      return source;
    }
  }
}

package io.mesh4j.runtime.okhttp;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.metrics.OutboundCall;
import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One routed hop with metrics on: notes the outcome in its {@link OutboundCall}; a failure before the response
 * records the failure, a delivered response's body records the call when it is complete (read to the end or
 * closed, {@link CompletingBody}), as Istio's duration covers the whole response. Only used when the application
 * gave a registry.
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
    // A delivered response records itself when its body ends (CompletingBody); a local reply or a call the mesh
    // did not route is recorded already.
    return response;
  }
}

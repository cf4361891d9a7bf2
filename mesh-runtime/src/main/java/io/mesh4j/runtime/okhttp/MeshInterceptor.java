package io.mesh4j.runtime.okhttp;

import io.mesh4j.runtime.engine.MeshEngine;
import io.mesh4j.runtime.engine.RoutingDecision;
import io.mesh4j.runtime.xds.resource.LbEndpoint;
import java.io.IOException;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Routes OkHttp calls through the mesh: a request to {@code http://<mesh host>:<port>/...} is sent to the endpoint
 * the engine picks, keeping the original Host header so the server and its virtual hosts see the mesh name.
 * Installed as an application interceptor, so it runs once per call and the body is streamed, never buffered.
 *
 * <p>Plain-text HTTP is what the mesh routes; {@code https} URLs belong to the application's own TLS and go out
 * untouched (under REGISTRY_ONLY only to hosts the mesh knows).
 */
public final class MeshInterceptor implements Interceptor {
  private final MeshEngine engine;

  public MeshInterceptor(MeshEngine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    HttpUrl url = request.url();
    String target = url.host() + ":" + url.port();
    if (url.isHttps()) {
      engine.checkDirectAllowed(target);
      return chain.proceed(request);
    }
    OkHttpRequestView view = new OkHttpRequestView(request);
    RoutingDecision decision = engine.route(target, view);
    if (decision == null) {
      return chain.proceed(request);
    }
    LbEndpoint endpoint = decision.endpoint();
    Request.Builder routed = request.newBuilder().url(url.newBuilder().host(endpoint.host()).port(endpoint.port()).build());
    if (request.header("Host") == null) {
      routed.header("Host", view.authority());
    }
    LeaseReleasingBody.ReleaseOnce release = new LeaseReleasingBody.ReleaseOnce(decision.lease());
    Response response;
    try {
      response = chain.proceed(routed.build());
    } catch (IOException e) {
      if (ConnectFailures.isConnectFailure(e)) {
        decision.lease().connectFailed();
      }
      release.run();
      throw e;
    } catch (RuntimeException | Error e) {
      release.run();
      throw e;
    }
    Response.Builder out = response.newBuilder();
    if (decision.setCookie() != null) {
      out.addHeader("Set-Cookie", decision.setCookie());
    }
    // The endpoint stays busy until the body is consumed or closed (streamed bodies included).
    return out.body(new LeaseReleasingBody(response.body(), release)).build();
  }
}

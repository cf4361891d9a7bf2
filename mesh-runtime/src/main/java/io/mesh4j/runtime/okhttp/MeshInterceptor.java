package io.mesh4j.runtime.okhttp;

import io.mesh4j.runtime.cluster.ConnectFailures;
import io.mesh4j.runtime.engine.MeshEngine;
import io.mesh4j.runtime.engine.RoutingDecision;
import io.mesh4j.runtime.route.RequestShaping;
import io.mesh4j.runtime.security.MeshSecurity;
import io.mesh4j.runtime.xds.resource.LbEndpoint;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import okhttp3.Headers;
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
  private final MeshSecurity security;
  private final Duration tlsMaterialWait;

  /** Without TLS: requests to clusters with an UpstreamTlsContext fail, never go out in plain text. */
  public MeshInterceptor(MeshEngine engine) {
    this(engine, null, Duration.ZERO);
  }

  /**
   * @param security upstream TLS contexts for clusters with a {@code transport_socket}
   * @param tlsMaterialWait how long the first request to a TLS cluster waits for its certificate material
   */
  public MeshInterceptor(MeshEngine engine, MeshSecurity security, Duration tlsMaterialWait) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.security = security;
    this.tlsMaterialWait = Objects.requireNonNull(tlsMaterialWait, "tlsMaterialWait");
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
    if (decision.localReply() != null) {
      return LocalReplies.toResponse(request, decision.localReply());
    }
    try {
      return forward(chain, request, view, decision);
    } finally {
      decision.complete();
    }
  }

  /** Applies the engine's decision: endpoint, rewritten path and Host, header mutations both ways. */
  private Response forward(Chain chain, Request request, OkHttpRequestView view, RoutingDecision decision)
      throws IOException {
    LbEndpoint endpoint = decision.endpoint();
    HttpUrl.Builder url = request.url().newBuilder().host(endpoint.host()).port(endpoint.port());
    if (decision.path() != null) {
      String path = decision.path();
      int query = path.indexOf('?');
      url.encodedPath(query < 0 ? path : path.substring(0, query)).encodedQuery(query < 0 ? null : path.substring(query + 1));
    }
    RequestShaping shaping = decision.route().shaping();
    Headers.Builder headers = request.headers().newBuilder();
    shaping.requestHeaders().apply(new OkHttpHeaderEditor(headers));
    if (decision.host() != null) {
      if (shaping.appendXForwardedHost()) {
        headers.add("x-forwarded-host", view.authority());
      }
      headers.set("Host", decision.host());
    } else if (request.header("Host") == null) {
      headers.set("Host", view.authority());
    }
    Request routed = request.newBuilder().url(url.build()).headers(headers.build()).build();
    LeaseReleasingBody.ReleaseOnce release = new LeaseReleasingBody.ReleaseOnce(decision.lease());
    Response response;
    try {
      response = decision.cluster().cluster().tls() != null
          ? UpstreamTlsCall.proceed(chain, routed, decision, security, tlsMaterialWait)
          : chain.proceed(routed);
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
    if (!shaping.responseHeaders().isEmpty()) {
      Headers.Builder responseHeaders = response.headers().newBuilder();
      shaping.responseHeaders().apply(new OkHttpHeaderEditor(responseHeaders));
      out.headers(responseHeaders.build());
    }
    if (decision.setCookie() != null) {
      out.addHeader("Set-Cookie", decision.setCookie());
    }
    // The endpoint stays busy until the body is consumed or closed (streamed bodies included).
    return out.body(new LeaseReleasingBody(response.body(), release)).build();
  }
}

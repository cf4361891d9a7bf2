package io.mesh4j.runtime.okhttp;

import io.mesh4j.runtime.engine.RoutingDecision;
import io.mesh4j.runtime.route.RequestShaping;
import io.mesh4j.runtime.model.LbEndpoint;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/** The route's rewrites and header mutations, on the OkHttp request of each attempt and on the response delivered. */
final class AttemptShaping {
  /**
   * {@code http://<endpoint>/} by endpoint: setting a builder's host canonicalizes it (IDNA mapping, normalization),
   * the largest part of the mesh's own work on an OkHttp request when done per attempt; an endpoint's is done once.
   * Bounded: emptied when full (endpoints churn with the config).
   */
  private static final Map<LbEndpoint, HttpUrl> ENDPOINT_URLS = new ConcurrentHashMap<>();
  private static final int MAX_ENDPOINT_URLS = 4096;

  private AttemptShaping() {}

  /**
   * The request for one attempt: the endpoint's address, the route's path and host rewrites and header mutations,
   * tagged as routed for the {@link MeshNetworkInterceptor}.
   */
  static Request request(Request request, OkHttpRequestView view, RoutingDecision decision, LbEndpoint endpoint,
      int attempt, RoutedAttempt tag) {
    HttpUrl.Builder url;
    if (decision.path() != null) {
      String path = decision.path();
      int query = path.indexOf('?');
      url = onEndpoint(request.url(), query < 0 ? path : path.substring(0, query), endpoint)
          .encodedQuery(query < 0 ? null : path.substring(query + 1));
    } else {
      url = onEndpoint(request.url(), view.encodedPath(), endpoint);
    }
    RequestShaping shaping = decision.route().shaping();
    // The request's builder already holds a copy of its headers: edit that one, copying them again only for the
    // route's mutations (which read and edit a headers builder).
    Request.Builder out = request.newBuilder().url(url.build());
    if (!shaping.requestHeaders().isEmpty()) {
      Headers.Builder headers = request.headers().newBuilder();
      shaping.requestHeaders().apply(new OkHttpHeaderEditor(headers));
      out.headers(headers.build());
    }
    // auto_host_rewrite names the endpoint, which a retry may change.
    String host = shaping.hostRewrite() == null ? null : shaping.hostRewrite().apply(view, endpoint.host());
    if (host != null) {
      if (shaping.appendXForwardedHost()) {
        out.addHeader("x-forwarded-host", view.authority());
      }
      out.header("Host", host);
    } else if (request.header("Host") == null) {
      out.addHeader("Host", view.authority()); // (none to replace)
    }
    if (decision.route().policy().includeAttemptCount()) {
      out.header("x-envoy-attempt-count", Integer.toString(attempt));
    }
    return out.tag(RoutedAttempt.class, tag).build();
  }

  /** {@code url} with the endpoint's host and port: the same URL as {@code url.newBuilder().host(..).port(..)}. */
  static HttpUrl.Builder onEndpoint(HttpUrl url, LbEndpoint endpoint) {
    return onEndpoint(url, url.encodedPath(), endpoint);
  }

  /** {@link #onEndpoint(HttpUrl, LbEndpoint)} with {@code encodedPath} for the URL's path. */
  static HttpUrl.Builder onEndpoint(HttpUrl url, String encodedPath, LbEndpoint endpoint) {
    HttpUrl base = ENDPOINT_URLS.get(endpoint);
    if (base == null) {
      base = new HttpUrl.Builder().scheme("http").host(endpoint.host()).port(endpoint.port()).build();
      if (ENDPOINT_URLS.size() >= MAX_ENDPOINT_URLS) {
        ENDPOINT_URLS.clear();
      }
      ENDPOINT_URLS.put(endpoint, base);
    }
    HttpUrl.Builder out = base.newBuilder().scheme(url.scheme())
        .encodedPath(encodedPath)
        .encodedQuery(url.encodedQuery())
        .encodedFragment(url.encodedFragment());
    if (!url.encodedUsername().isEmpty()) {
      out.encodedUsername(url.encodedUsername());
    }
    if (!url.encodedPassword().isEmpty()) {
      out.encodedPassword(url.encodedPassword());
    }
    return out;
  }

  /**
   * The response's builder with the route's response header mutations and a generated hash cookie, showing
   * {@code request} (what the application called, as OkHttp shows a followed hop's URL), not the endpoint's address.
   */
  static Response.Builder response(Response response, Request request, RoutingDecision decision) {
    Response.Builder out = response.newBuilder().request(request);
    RequestShaping shaping = decision.route().shaping();
    if (!shaping.responseHeaders().isEmpty()) {
      Headers.Builder headers = response.headers().newBuilder();
      shaping.responseHeaders().apply(new OkHttpHeaderEditor(headers));
      out.headers(headers.build());
    }
    if (decision.setCookie() != null) {
      out.addHeader("Set-Cookie", decision.setCookie());
    }
    return out;
  }
}

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
  private static final Map<LbEndpoint, EndpointUrls> ENDPOINT_URLS = new ConcurrentHashMap<>();
  private static final int MAX_ENDPOINT_URLS = 4096;

  private AttemptShaping() {}

  /**
   * The request for one attempt: the endpoint's address, the route's path and host rewrites and header mutations,
   * tagged as routed for the {@link MeshNetworkInterceptor}.
   */
  static Request request(Request request, OkHttpRequestView view, RoutingDecision decision, LbEndpoint endpoint,
      int attempt, RoutedAttempt tag) {
    RequestShaping shaping = decision.route().shaping();
    // The request's builder already holds a copy of its headers: edit that one, copying them again only for the
    // route's mutations (which read and edit a headers builder).
    Request.Builder out = request.newBuilder().url(url(request.url(), view, decision.path(), endpoint));
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
    } else if (!view.hasHostHeader()) {
      out.addHeader("Host", view.authority()); // (none to replace)
    }
    if (decision.route().policy().includeAttemptCount()) {
      out.header("x-envoy-attempt-count", Integer.toString(attempt));
    }
    return out.tag(RoutedAttempt.class, tag).build();
  }

  /**
   * The attempt's URL: {@code url} on the endpoint, with the route's path rewrite ({@code rewritten}, the path and
   * query, or null for none). Without a rewrite it depends on
   * the URL and the endpoint only, and the one made last on each endpoint is kept: a client that calls the same URL
   * again (the same resource, an RPC-style endpoint) gets it without building a URL (about 700 bytes and the URL's
   * formatting and parsing each time); any other URL costs one string comparison more.
   */
  static HttpUrl url(HttpUrl url, OkHttpRequestView view, String rewritten, LbEndpoint endpoint) {
    EndpointUrls urls = endpointUrls(endpoint);
    if (rewritten != null) {
      int query = rewritten.indexOf('?');
      return onEndpoint(urls.base, url, query < 0 ? rewritten : rewritten.substring(0, query))
          .encodedQuery(query < 0 ? null : rewritten.substring(query + 1))
          .build();
    }
    LastUrl last = urls.last;
    if (last != null && (last.from == url || last.from.equals(url))) {
      return last.to;
    }
    HttpUrl to = onEndpoint(urls.base, url, view.encodedPath()).build();
    urls.last = new LastUrl(url, to);
    return to;
  }

  /** An endpoint's base URL, and the attempt URL last made on it with the URL it was made from. */
  private static final class EndpointUrls {
    final HttpUrl base;
    /** Replaced whole, so a reader sees a matching pair; racing writers only decide which pair stays. */
    volatile LastUrl last;

    EndpointUrls(HttpUrl base) {
      this.base = base;
    }
  }

  private record LastUrl(HttpUrl from, HttpUrl to) {}

  /** {@code url} with the endpoint's host and port: the same URL as {@code url.newBuilder().host(..).port(..)}. */
  static HttpUrl.Builder onEndpoint(HttpUrl url, LbEndpoint endpoint) {
    return onEndpoint(endpointUrls(endpoint).base, url, url.encodedPath());
  }

  private static EndpointUrls endpointUrls(LbEndpoint endpoint) {
    EndpointUrls urls = ENDPOINT_URLS.get(endpoint);
    if (urls == null) {
      urls = new EndpointUrls(new HttpUrl.Builder().scheme("http").host(endpoint.host()).port(endpoint.port()).build());
      if (ENDPOINT_URLS.size() >= MAX_ENDPOINT_URLS) {
        ENDPOINT_URLS.clear();
      }
      ENDPOINT_URLS.put(endpoint, urls);
    }
    return urls;
  }

  /** {@code url} on the endpoint's {@code base}, with {@code encodedPath} for its path. */
  private static HttpUrl.Builder onEndpoint(HttpUrl base, HttpUrl url, String encodedPath) {
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

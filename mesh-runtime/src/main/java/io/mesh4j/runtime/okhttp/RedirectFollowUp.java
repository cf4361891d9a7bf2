package io.mesh4j.runtime.okhttp;

import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The request that follows a redirect from a mesh host, by OkHttp's rules (so that a routed call follows redirects as
 * the client would without the mesh): the client's {@code followRedirects} and {@code followSslRedirects}, the
 * {@code Location} resolved against the URL the application called (the mesh host, not the endpoint), 303 (and
 * 301/302 for methods other than PROPFIND) becoming a body-less GET, 307/308 keeping method and body (not a one-shot
 * body), and {@code Authorization} dropped when the redirect leaves the host.
 */
final class RedirectFollowUp {
  /** OkHttp's limit on follow-ups for one call. */
  static final int MAX_FOLLOW_UPS = 20;

  private RedirectFollowUp() {}

  static boolean isRedirect(int code) {
    return code == 300 || code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
  }

  /**
   * @param request the request of the hop that was answered, as the application (or the previous follow-up) wrote it
   * @return the next hop, or {@code null} when the response is the call's answer
   */
  static Request next(Interceptor.Chain chain, Request request, Response response) {
    if (!isRedirect(response.code()) || !chain.getFollowRedirects()) {
      return null;
    }
    String location = response.header("Location");
    HttpUrl url = location == null ? null : request.url().resolve(location);
    if (url == null) {
      return null;
    }
    if (!url.scheme().equals(request.url().scheme()) && !chain.getFollowSslRedirects()) {
      return null;
    }
    Request.Builder next = request.newBuilder().url(url);
    String method = request.method();
    int code = response.code();
    boolean keepsMethod = code == 307 || code == 308;
    if (!method.equals("GET") && !method.equals("HEAD")) {
      boolean propfind = method.equals("PROPFIND");
      boolean maintainBody = propfind || keepsMethod;
      if (!propfind && !keepsMethod) {
        next.method("GET", null);
      } else {
        RequestBody body = maintainBody ? request.body() : null;
        if (body != null && body.isOneShot()) {
          return null;
        }
        next.method(method, body);
      }
      if (!maintainBody) {
        next.removeHeader("Transfer-Encoding").removeHeader("Content-Length").removeHeader("Content-Type");
      }
    }
    HttpUrl from = request.url();
    if (!from.host().equals(url.host()) || from.port() != url.port() || !from.scheme().equals(url.scheme())) {
      next.removeHeader("Authorization");
    }
    return next.build();
  }
}

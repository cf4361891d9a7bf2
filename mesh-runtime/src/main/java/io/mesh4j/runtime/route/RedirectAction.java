package io.mesh4j.runtime.route;

import io.mesh4j.runtime.matcher.PathMatcher;
import io.mesh4j.runtime.view.RequestView;

/**
 * {@code redirect}: answer with a 3xx whose Location is the request's URL changed as Envoy's RedirectAction says.
 *
 * @param scheme the new scheme ({@code https_redirect} or {@code scheme_redirect}), or null to keep it
 * @param host {@code host_redirect} (the request's port is then dropped unless {@code port_redirect}), or null
 * @param port {@code port_redirect}, or 0
 * @param pathRedirect {@code path_redirect} (keeps the request's query unless it has its own or {@code strip_query}),
 *     or null
 * @param pathRewrite {@code prefix_rewrite} / {@code regex_rewrite} of the request's path, or null
 * @param status 301 (default), 302, 303, 307 or 308
 */
public record RedirectAction(
    String scheme, String host, int port, String pathRedirect, PathRewrite pathRewrite, int status, boolean stripQuery)
    implements RouteAction {

  /** Not forwarded: null. */
  @Override
  public String selectCluster(long random) {
    return null;
  }

  /** The Location for this request. */
  public String location(RequestView request) {
    String requestScheme = request.header(":scheme");
    if (requestScheme == null) {
      requestScheme = "http";
    }
    String newScheme = scheme != null ? scheme : requestScheme;
    String authority;
    if (host != null) {
      authority = host;
    } else {
      authority = request.authority();
      int portStart = Hosts.portStart(authority);
      if (portStart >= 0) {
        String requestPort = authority.substring(portStart);
        boolean removePort = port != 0;
        if (!newScheme.equalsIgnoreCase(requestScheme)) {
          removePort |= requestScheme.equalsIgnoreCase("https") && requestPort.equals(":443");
          removePort |= requestScheme.equalsIgnoreCase("http") && requestPort.equals(":80");
        }
        if (removePort) {
          authority = authority.substring(0, portStart);
        }
      }
    }
    if (port != 0) {
      authority = authority + ":" + port;
    }
    return newScheme + "://" + authority + path(request.path());
  }

  private String path(String requestPath) {
    int end = PathMatcher.pathEnd(requestPath);
    String query = end < requestPath.length() && requestPath.charAt(end) == '?' ? requestPath.substring(end) : "";
    if (pathRedirect != null) {
      if (pathRedirect.indexOf('?') >= 0 || stripQuery) {
        return pathRedirect;
      }
      return pathRedirect + query;
    }
    String path = pathRewrite != null ? pathRewrite.apply(requestPath) : requestPath;
    if (stripQuery) {
      path = path.substring(0, PathMatcher.pathEnd(path));
    }
    return path;
  }
}

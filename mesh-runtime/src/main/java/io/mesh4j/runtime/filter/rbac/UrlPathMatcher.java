package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.matcher.StringMatcher;

/**
 * {@code url_path} ({@code envoy.type.matcher.v3.PathMatcher}): the path without its query and fragment, as Envoy's
 * {@code PathUtil::removeQueryAndFragment} leaves it. A request without a path does not match. Allocates only when
 * the path has a query or a fragment (never for gRPC).
 */
final class UrlPathMatcher implements RbacMatcher {
  private final StringMatcher path;

  UrlPathMatcher(StringMatcher path) {
    this.path = path;
  }

  @Override
  public boolean matches(InboundRequest request) {
    String full = request.path();
    if (full == null) {
      return false;
    }
    return path.matches(withoutQueryAndFragment(full));
  }

  static String withoutQueryAndFragment(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '?' || c == '#') {
        return path.substring(0, i);
      }
    }
    return path;
  }

  @Override
  public String toString() {
    return "url_path(" + path + ")";
  }
}

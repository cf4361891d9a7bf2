package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.matcher.StringMatcher;

/**
 * {@code url_path} ({@code envoy.type.matcher.v3.PathMatcher}): the path without its query and fragment, as Envoy's
 * {@code PathUtil::removeQueryAndFragment} leaves it ({@link RbacMatcher#urlPath}). A request without a path does
 * not match.
 */
final class UrlPathMatcher extends RbacMatcher {
  private final StringMatcher path;
  private final int cost;

  UrlPathMatcher(StringMatcher path, int cost) {
    this.path = path;
    this.cost = cost;
  }

  @Override
  boolean matches(InboundRequest request, String urlPath) {
    return urlPath != null && path.matches(urlPath);
  }

  @Override
  int cost() {
    return cost;
  }

  @Override
  public String toString() {
    return "url_path(" + path + ")";
  }
}

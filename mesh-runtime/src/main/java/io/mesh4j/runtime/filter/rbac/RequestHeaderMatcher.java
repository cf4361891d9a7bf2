package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.matcher.HeaderMatcher;

/**
 * {@code header}: a route {@code HeaderMatcher} over the request's headers as Envoy's matchers see them (the
 * pseudo-headers {@code :authority}, {@code :path} with its query and {@code :method}; repeated values joined with
 * {@code ,}), with the route matchers' semantics.
 */
final class RequestHeaderMatcher extends RbacMatcher {
  private final HeaderMatcher header;
  private final int cost;

  RequestHeaderMatcher(HeaderMatcher header, int cost) {
    this.header = header;
    this.cost = cost;
  }

  @Override
  boolean matches(InboundRequest request, String urlPath) {
    return header.matches(request);
  }

  @Override
  int cost() {
    return cost;
  }

  @Override
  public String toString() {
    return "header(" + header + ")";
  }
}

package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;

/** {@code any: true}: matches every request. */
final class AnyMatcher extends RbacMatcher {
  static final AnyMatcher INSTANCE = new AnyMatcher();

  private AnyMatcher() {}

  @Override
  boolean matches(InboundRequest request, String urlPath) {
    return true;
  }

  @Override
  public String toString() {
    return "any";
  }
}

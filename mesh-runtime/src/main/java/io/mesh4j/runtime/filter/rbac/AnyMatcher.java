package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;

/** {@code any: true}: matches every request. */
final class AnyMatcher implements RbacMatcher {
  static final AnyMatcher INSTANCE = new AnyMatcher();

  private AnyMatcher() {}

  @Override
  public boolean matches(InboundRequest request) {
    return true;
  }

  @Override
  public String toString() {
    return "any";
  }
}

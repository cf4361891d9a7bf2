package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;

/** {@code not_rule} / {@code not_id}: matches when the matcher it wraps does not. */
final class NotMatcher extends RbacMatcher {
  private final RbacMatcher negated;

  NotMatcher(RbacMatcher negated) {
    this.negated = negated;
  }

  @Override
  boolean matches(InboundRequest request, String urlPath) {
    return !negated.matches(request, urlPath);
  }

  @Override
  int cost() {
    return negated.cost();
  }

  @Override
  public String toString() {
    return "not(" + negated + ")";
  }
}

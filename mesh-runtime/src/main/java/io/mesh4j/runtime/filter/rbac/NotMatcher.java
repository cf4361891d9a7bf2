package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;

/** {@code not_rule} / {@code not_id}: matches when the matcher it wraps does not. */
final class NotMatcher implements RbacMatcher {
  private final RbacMatcher negated;

  NotMatcher(RbacMatcher negated) {
    this.negated = negated;
  }

  @Override
  public boolean matches(InboundRequest request) {
    return !negated.matches(request);
  }

  @Override
  public String toString() {
    return "not(" + negated + ")";
  }
}

package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;
import java.util.Arrays;
import java.util.List;

/** {@code and_rules} / {@code and_ids}: every one of its matchers matches. */
final class AndMatcher implements RbacMatcher {
  private final RbacMatcher[] matchers;

  AndMatcher(List<RbacMatcher> matchers) {
    this.matchers = matchers.toArray(new RbacMatcher[0]);
  }

  @Override
  public boolean matches(InboundRequest request) {
    for (RbacMatcher matcher : matchers) {
      if (!matcher.matches(request)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "and" + Arrays.toString(matchers);
  }
}

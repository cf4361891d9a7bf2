package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;
import java.util.Arrays;
import java.util.List;

/**
 * {@code or_rules} / {@code or_ids}, and a policy's list of permissions or of principals: at least one of its
 * matchers matches.
 */
final class OrMatcher implements RbacMatcher {
  private final RbacMatcher[] matchers;

  OrMatcher(List<RbacMatcher> matchers) {
    this.matchers = matchers.toArray(new RbacMatcher[0]);
  }

  @Override
  public boolean matches(InboundRequest request) {
    for (RbacMatcher matcher : matchers) {
      if (matcher.matches(request)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "or" + Arrays.toString(matchers);
  }
}

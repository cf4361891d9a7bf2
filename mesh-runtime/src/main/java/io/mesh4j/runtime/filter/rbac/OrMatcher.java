package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * {@code or_rules} / {@code or_ids}, and a policy's list of permissions or of principals: at least one of its
 * matchers matches.
 */
final class OrMatcher extends RbacMatcher {
  private final RbacMatcher[] matchers;
  private final int cost;

  /** Keeps the matchers cheapest first (a stable sort: equal costs keep the order sent). */
  OrMatcher(List<RbacMatcher> matchers) {
    this.matchers = matchers.stream().sorted(Comparator.comparingInt(RbacMatcher::cost)).toArray(RbacMatcher[]::new);
    this.cost = Arrays.stream(this.matchers).mapToInt(RbacMatcher::cost).sum();
  }

  @Override
  int cost() {
    return cost;
  }

  @Override
  boolean matches(InboundRequest request, String urlPath) {
    for (RbacMatcher matcher : matchers) {
      if (matcher.matches(request, urlPath)) {
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

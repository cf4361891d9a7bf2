package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** {@code and_rules} / {@code and_ids}: every one of its matchers matches. */
final class AndMatcher extends RbacMatcher {
  private final RbacMatcher[] matchers;
  private final int cost;

  /** Keeps the matchers cheapest first (a stable sort: equal costs keep the order sent). */
  AndMatcher(List<RbacMatcher> matchers) {
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
      if (!matcher.matches(request, urlPath)) {
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

package io.mesh4j.runtime.filter.jwt;

import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.matcher.RouteMatcher;
import java.util.Objects;

/**
 * One of {@code rules}: requests matching {@code match} (a RouteMatch, matched as routes are) must meet the
 * requirement; a null requirement (an empty {@code requires}) verifies nothing.
 */
record RequirementRule(RouteMatcher match, Requirement requirement) {
  RequirementRule {
    Objects.requireNonNull(match, "match");
  }

  boolean matches(InboundRequest request) {
    return match.matches(request, 0);
  }
}

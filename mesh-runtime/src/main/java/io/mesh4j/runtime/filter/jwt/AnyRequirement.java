package io.mesh4j.runtime.filter.jwt;

import java.util.List;

/**
 * {@code requires_any}: the first requirement that is met lets the request through. When none is, the answer is the
 * first failure other than a missing token (a present but bad token says more than an absent one), else "missing".
 */
record AnyRequirement(List<Requirement> requirements) implements Requirement {
  AnyRequirement {
    requirements = List.copyOf(requirements);
  }

  @Override
  public JwtOutcome check(RequestTokens request) {
    JwtOutcome failure = null;
    for (Requirement requirement : requirements) {
      JwtOutcome outcome = requirement.check(request);
      if (outcome.ok()) {
        return outcome;
      }
      if (failure == null || (failure.status() == JwtStatus.MISSING && outcome.status() != JwtStatus.MISSING)) {
        failure = outcome;
      }
    }
    return failure == null ? JwtOutcome.MISSING : failure;
  }
}

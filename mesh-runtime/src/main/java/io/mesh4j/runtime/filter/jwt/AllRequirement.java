package io.mesh4j.runtime.filter.jwt;

import java.util.List;

/** {@code requires_all}: every requirement must be met; the first that is not answers. */
record AllRequirement(List<Requirement> requirements) implements Requirement {
  AllRequirement {
    requirements = List.copyOf(requirements);
  }

  @Override
  public JwtOutcome check(RequestTokens request) {
    for (Requirement requirement : requirements) {
      JwtOutcome outcome = requirement.check(request);
      if (!outcome.ok()) {
        return outcome;
      }
    }
    return JwtOutcome.OK;
  }
}

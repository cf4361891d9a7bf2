package io.mesh4j.runtime.filter.jwt;

import java.util.List;

/**
 * {@code allow_missing} and {@code allow_missing_or_failed}: tokens are looked for wherever any provider looks, and
 * each one found is verified by the provider (among those looking there) that accepts its issuer. With
 * {@code allow_missing} a request without tokens passes but a bad token fails it; with {@code
 * allow_missing_or_failed} every request passes, and good tokens still leave their payloads.
 */
record AllowMissingRequirement(List<TokenVerifier> verifiers, boolean allowFailed) implements Requirement {
  AllowMissingRequirement {
    verifiers = List.copyOf(verifiers);
  }

  @Override
  public JwtOutcome check(RequestTokens request) {
    JwtOutcome failure = null;
    boolean found = false;
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (TokenVerifier owner : verifiers) {
      for (TokenLocation location : owner.provider().locations()) {
        String token = request.token(location);
        if (token == null || !seen.add(location + "\n" + token)) {
          continue;
        }
        found = true;
        JwtOutcome outcome = verifyWithIssuer(request, location, token);
        if (!outcome.ok() && failure == null) {
          failure = outcome;
        }
      }
    }
    if (!found) {
      request.failed(null, JwtStatus.MISSING);
    }
    return failure == null || allowFailed ? JwtOutcome.OK : failure;
  }

  private JwtOutcome verifyWithIssuer(RequestTokens request, TokenLocation location, String token) {
    JwtOutcome last = JwtOutcome.failed(JwtStatus.UNKNOWN_ISSUER, "no provider looking at " + location.name()
        + " accepts the token's issuer");
    for (TokenVerifier verifier : verifiers) {
      if (!verifier.provider().locations().contains(location)) {
        continue;
      }
      TokenVerifier.Result result = verifier.verify(token, verifier.provider().audiences());
      if (result.outcome().ok()) {
        request.accept(verifier.provider(), location, result.jwt());
        return JwtOutcome.OK;
      }
      if (result.outcome().status() != JwtStatus.UNKNOWN_ISSUER) {
        // Parse failures come before any provider takes the token; the rest are the issuer's provider's.
        request.failed(result.outcome().status().precedesIssuer() ? null : verifier.provider(),
            result.outcome().status());
        return result.outcome();
      }
      last = result.outcome();
    }
    request.failed(null, last.status());
    return last;
  }
}

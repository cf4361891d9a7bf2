package io.mesh4j.runtime.filter.jwt;

/**
 * {@code provider_name} or {@code provider_and_audiences}: the provider's token must be present and verify; when
 * several of its locations hold a token, every one must (a good token must not vouch for a bad one beside it).
 */
record ProviderRequirement(TokenVerifier verifier, Audiences audiences) implements Requirement {

  @Override
  public JwtOutcome check(RequestTokens request) {
    boolean found = false;
    JwtProvider provider = verifier.provider();
    for (TokenLocation location : provider.locations()) {
      String token = request.token(location);
      if (token == null) {
        continue;
      }
      found = true;
      TokenVerifier.Result result = verifier.verify(token, audiences);
      if (!result.outcome().ok()) {
        request.failed(provider, result.outcome().status());
        return new JwtOutcome(result.outcome().status(), provider.name() + ": " + result.outcome().reason());
      }
      request.accept(provider, location, result.jwt());
    }
    if (!found) {
      // As Envoy: a missing token is no provider's failure (only a config's single provider records it).
      request.failed(null, JwtStatus.MISSING);
      return new JwtOutcome(JwtStatus.MISSING, provider.name() + ": no token");
    }
    return JwtOutcome.OK;
  }
}

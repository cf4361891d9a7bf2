package io.mesh4j.runtime.filter.jwt;

/**
 * A decoded {@code JwtRequirement}: which providers' tokens a request must carry ({@code provider_name},
 * {@code provider_and_audiences}, {@code requires_any}, {@code requires_all}, {@code allow_missing},
 * {@code allow_missing_or_failed}).
 */
interface Requirement {

  /** Checks the request's tokens; each verified token leaves its effects (headers, metadata) as it is accepted. */
  JwtOutcome check(RequestTokens request);
}

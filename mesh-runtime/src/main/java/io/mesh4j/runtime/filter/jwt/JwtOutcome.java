package io.mesh4j.runtime.filter.jwt;

import java.util.Objects;

/**
 * The result of checking one token or one requirement: a status and, when it failed, the reason for the log (which
 * names what Envoy's text does not: the provider, the claim, the kid).
 */
record JwtOutcome(JwtStatus status, String reason) {
  static final JwtOutcome OK = new JwtOutcome(JwtStatus.OK, "");
  static final JwtOutcome MISSING = new JwtOutcome(JwtStatus.MISSING, "no token");

  JwtOutcome {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
  }

  static JwtOutcome failed(JwtStatus status, String reason) {
    return new JwtOutcome(status, reason);
  }

  boolean ok() {
    return status == JwtStatus.OK;
  }
}

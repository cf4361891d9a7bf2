package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundReply;
import java.util.Map;

/**
 * What one engine decided for a request: allowed or not, and the policy that decided it (null when none matched).
 * An engine holds one decision per possible outcome, made when it is compiled, so deciding allocates nothing.
 */
public final class RbacDecision {
  /** The body Envoy's RBAC filter answers a denied request with. */
  public static final String DENIED_BODY = "RBAC: access denied";
  /** The reason given when no policy matched. */
  public static final String NO_POLICY_MATCHED = "no policy matched";

  private final boolean allowed;
  private final String matchedPolicy;
  private final InboundReply denial;

  RbacDecision(boolean allowed, String matchedPolicy) {
    this.allowed = allowed;
    this.matchedPolicy = matchedPolicy;
    this.denial = allowed
        ? null
        : new InboundReply(403, DENIED_BODY, Map.of(), matchedPolicy == null ? NO_POLICY_MATCHED : matchedPolicy);
  }

  public boolean allowed() {
    return allowed;
  }

  /** The name of the policy that matched, or null when none did. */
  public String matchedPolicy() {
    return matchedPolicy;
  }

  /** The 403 reply for a denied request (its reason the matched policy, or "no policy matched"); null if allowed. */
  public InboundReply denial() {
    return denial;
  }

  @Override
  public String toString() {
    return (allowed ? "allowed" : "denied") + " (" + (matchedPolicy == null ? NO_POLICY_MATCHED : matchedPolicy) + ")";
  }
}

package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A compiled {@code envoy.config.rbac.v3.RBAC}: an action and its named policies. The policies are tried in the
 * order of their names, as Envoy keeps them (a sorted map), so the policy a decision names does not depend on the
 * order a control plane sent them in. ALLOW allows a request some policy matches and denies the rest; DENY denies a
 * request some policy matches and allows the rest; LOG allows every request.
 */
public final class RbacEngine {
  private final RbacAction action;
  private final PolicyMatcher[] policies;
  private final RbacDecision[] onMatch;
  private final RbacDecision onNoMatch;

  RbacEngine(RbacAction action, List<PolicyMatcher> policies) {
    this.action = action;
    this.policies = policies.stream().sorted(Comparator.comparing(PolicyMatcher::name)).toArray(PolicyMatcher[]::new);
    this.onMatch = new RbacDecision[this.policies.length];
    for (int i = 0; i < onMatch.length; i++) {
      onMatch[i] = new RbacDecision(action != RbacAction.DENY, this.policies[i].name());
    }
    this.onNoMatch = new RbacDecision(action != RbacAction.ALLOW, null);
  }

  public RbacAction action() {
    return action;
  }

  /** Decides one request; allocates nothing unless the path has a query or fragment. */
  public RbacDecision evaluate(InboundRequest request) {
    return evaluate(request, RbacMatcher.urlPath(request));
  }

  /** Decides one request whose path without query is already known ({@link RbacMatcher#urlPath}). */
  RbacDecision evaluate(InboundRequest request, String urlPath) {
    for (int i = 0; i < policies.length; i++) {
      if (policies[i].matches(request, urlPath)) {
        return onMatch[i];
      }
    }
    return onNoMatch;
  }

  @Override
  public String toString() {
    return action + " " + Arrays.toString(policies);
  }
}

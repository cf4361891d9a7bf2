package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundFilterConfig;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.inbound.InboundRequest;

/**
 * A decoded RBAC filter config ({@code envoy.extensions.filters.http.rbac.v3.RBAC}, the HCM's or a route's
 * override): the enforced engine ({@code rules}; none means nothing is enforced) and the shadow engine ({@code
 * shadow_rules}; evaluated and counted, never enforced). Each filter instance decides on its own, which is what makes
 * istiod's pair ({@code envoy.filters.http.rbac.DENY} before {@code envoy.filters.http.rbac}) work: the first one's
 * 403 ends the request before the second runs.
 */
public final class RbacConfig implements InboundFilterConfig {
  private final String typeUrl;
  private final RbacEngine rules;
  private final RbacEngine shadowRules;
  private final RbacCounters counters;

  RbacConfig(String typeUrl, RbacEngine rules, RbacEngine shadowRules, RbacCounters counters) {
    this.typeUrl = typeUrl;
    this.rules = rules;
    this.shadowRules = shadowRules;
    this.counters = counters;
  }

  @Override
  public String typeUrl() {
    return typeUrl;
  }

  /** The enforced engine, or null when this config enforces nothing. */
  public RbacEngine rules() {
    return rules;
  }

  /** The shadow engine, or null. */
  public RbacEngine shadowRules() {
    return shadowRules;
  }

  /** This config's decision counters. */
  public RbacCounters counters() {
    return counters;
  }

  @Override
  public InboundReply onRequest(InboundRequest request) {
    String urlPath = RbacMatcher.urlPath(request);
    if (shadowRules != null) {
      if (shadowRules.evaluate(request, urlPath).allowed()) {
        counters.shadowAllowed.increment();
      } else {
        counters.shadowDenied.increment();
      }
    }
    if (rules == null) {
      return null;
    }
    RbacDecision decision = rules.evaluate(request, urlPath);
    if (rules.action() == RbacAction.LOG) {
      (decision.matchedPolicy() != null ? counters.logged : counters.notLogged).increment();
    }
    if (decision.allowed()) {
      counters.allowed.increment();
      return null;
    }
    counters.denied.increment();
    return decision.denial();
  }

  @Override
  public String toString() {
    return "RBAC rules=" + rules + " shadow_rules=" + shadowRules;
  }
}

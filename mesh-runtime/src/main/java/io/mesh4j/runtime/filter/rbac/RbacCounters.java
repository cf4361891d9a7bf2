package io.mesh4j.runtime.filter.rbac;

import java.util.concurrent.atomic.LongAdder;

/**
 * The decisions of one RBAC filter config, as Envoy's {@code rbac.*} statistics count them: enforced ones (allowed,
 * denied; with LOG, logged and not logged) and shadow ones (shadow allowed, shadow denied). The stat prefixes are
 * kept for whoever exports these ({@code rules_stat_prefix}, {@code shadow_rules_stat_prefix}).
 */
public final class RbacCounters {
  private final String rulesStatPrefix;
  private final String shadowRulesStatPrefix;
  final LongAdder allowed = new LongAdder();
  final LongAdder denied = new LongAdder();
  final LongAdder logged = new LongAdder();
  final LongAdder notLogged = new LongAdder();
  final LongAdder shadowAllowed = new LongAdder();
  final LongAdder shadowDenied = new LongAdder();

  RbacCounters(String rulesStatPrefix, String shadowRulesStatPrefix) {
    this.rulesStatPrefix = rulesStatPrefix;
    this.shadowRulesStatPrefix = shadowRulesStatPrefix;
  }

  /** {@code rules_stat_prefix}: Envoy names the enforced counters {@code rbac.<prefix>allowed}. */
  public String rulesStatPrefix() {
    return rulesStatPrefix;
  }

  /** {@code shadow_rules_stat_prefix}: Envoy names the shadow counters {@code rbac.<prefix>shadow_allowed}. */
  public String shadowRulesStatPrefix() {
    return shadowRulesStatPrefix;
  }

  public long allowed() {
    return allowed.sum();
  }

  public long denied() {
    return denied.sum();
  }

  /** Requests a LOG policy matched. */
  public long logged() {
    return logged.sum();
  }

  /** Requests under LOG no policy matched. */
  public long notLogged() {
    return notLogged.sum();
  }

  public long shadowAllowed() {
    return shadowAllowed.sum();
  }

  public long shadowDenied() {
    return shadowDenied.sum();
  }

  @Override
  public String toString() {
    return "allowed=" + allowed() + " denied=" + denied() + " logged=" + logged() + " not_logged=" + notLogged()
        + " shadow_allowed=" + shadowAllowed() + " shadow_denied=" + shadowDenied();
  }
}

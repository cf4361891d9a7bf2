package io.mesh4j.runtime.filter.rbac;

/** {@code envoy.config.rbac.v3.RBAC.Action}: what a matched policy means. */
public enum RbacAction {
  /** A request is allowed only if some policy matches. */
  ALLOW,
  /** A request is denied if some policy matches. */
  DENY,
  /** Every request is allowed; a matched policy is only recorded (Envoy marks it for the access log). */
  LOG
}

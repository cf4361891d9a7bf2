package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;

/**
 * One named {@code envoy.config.rbac.v3.Policy}: it matches a request when any of its permissions and any of its
 * principals match. The cheaper side is tried first (matching has no side effect, so the answer is Envoy's): in a set
 * of policies that differ by who may call, a principal that does not match ends the policy at once.
 */
final class PolicyMatcher {
  private final String name;
  private final RbacMatcher permissions;
  private final RbacMatcher principals;
  private final RbacMatcher first;
  private final RbacMatcher second;

  PolicyMatcher(String name, RbacMatcher permissions, RbacMatcher principals) {
    this.name = name;
    this.permissions = permissions;
    this.principals = principals;
    boolean principalsFirst = principals.cost() < permissions.cost();
    this.first = principalsFirst ? principals : permissions;
    this.second = principalsFirst ? permissions : principals;
  }

  String name() {
    return name;
  }

  boolean matches(InboundRequest request, String urlPath) {
    return first.matches(request, urlPath) && second.matches(request, urlPath);
  }

  @Override
  public String toString() {
    return name + ": permissions " + permissions + ", principals " + principals;
  }
}

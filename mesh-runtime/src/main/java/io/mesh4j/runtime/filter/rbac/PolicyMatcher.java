package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;

/**
 * One named {@code envoy.config.rbac.v3.Policy}: it matches a request when any of its permissions and any of its
 * principals match.
 */
final class PolicyMatcher {
  private final String name;
  private final RbacMatcher permissions;
  private final RbacMatcher principals;

  PolicyMatcher(String name, RbacMatcher permissions, RbacMatcher principals) {
    this.name = name;
    this.permissions = permissions;
    this.principals = principals;
  }

  String name() {
    return name;
  }

  boolean matches(InboundRequest request) {
    return permissions.matches(request) && principals.matches(request);
  }

  @Override
  public String toString() {
    return name + ": permissions " + permissions + ", principals " + principals;
  }
}

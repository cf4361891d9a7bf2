package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.inbound.InboundRequest;

/**
 * One compiled {@code envoy.config.rbac.v3.Permission} or {@code Principal}: both sides of a policy are predicates
 * over the same request and connection, so they share this one shape. Implementations are immutable and allocate
 * nothing when matching.
 */
interface RbacMatcher {

  boolean matches(InboundRequest request);
}

package io.mesh4j.runtime.inbound;

import io.mesh4j.runtime.filter.FilterConfig;

/**
 * A decoded HTTP filter config that acts on requests a server receives (RBAC, jwt_authn). The server listener's HCM
 * runs its filters in order with the config that applies to the request's route ({@code
 * FilterOverrides.mostSpecific}); the first reply ends the request.
 */
public interface InboundFilterConfig extends FilterConfig {

  /**
   * Acts on one request: may read and write its headers and dynamic metadata.
   *
   * @return null to let the request go on, or the reply that ends it
   */
  InboundReply onRequest(InboundRequest request);
}

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

  /**
   * The config that acts on a request whose route (or virtual host, or weighted cluster) carries {@code override}
   * for this filter ({@code FilterOverrides.mostSpecific} found it): the HCM asks the listener's config, not the
   * override, because some overrides only select part of the listener's config (jwt_authn's {@code PerRouteConfig}
   * names a requirement of the listener's {@code requirement_map}). By default the override replaces the config.
   */
  default InboundFilterConfig withRouteOverride(FilterConfig override) {
    return (InboundFilterConfig) override;
  }
}

package io.mesh4j.runtime.filter.jwt;

import io.mesh4j.runtime.inbound.InboundFilterConfig;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.inbound.InboundRequest;
import java.util.Map;
import java.util.Objects;

/**
 * {@code PerRouteConfig} with {@code requirement_name}: the requirement of the listener's {@code requirement_map} that
 * applies on this route ({@code disabled} decodes to {@code FilterOverrides.DISABLED}). Resolved against the map only
 * at request time, as in Envoy (RDS cannot see the listener), by {@link JwtAuthnConfig#withRouteOverride}. Used on its
 * own, without the listener's config, it fails closed.
 */
record JwtPerRouteConfig(String requirementName) implements InboundFilterConfig {
  private static final String WITHOUT_LISTENER_CONFIG =
      "Failed JWT authentication: per-route config applied without the listener's jwt_authn config";

  JwtPerRouteConfig {
    Objects.requireNonNull(requirementName, "requirementName");
  }

  @Override
  public String typeUrl() {
    return JwtAuthnFilterProvider.PER_ROUTE_TYPE_URL;
  }

  @Override
  public InboundReply onRequest(InboundRequest request) {
    return new InboundReply(403, WITHOUT_LISTENER_CONFIG, Map.of(), WITHOUT_LISTENER_CONFIG);
  }
}

package io.mesh4j.runtime.filter.jwt;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig;
import io.mesh4j.runtime.filter.FilterConfig;
import io.mesh4j.runtime.filter.FilterOverrides;
import io.mesh4j.runtime.filter.HttpFilterProvider;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.Map;
import java.util.Set;

/**
 * {@code envoy.filters.http.jwt_authn}: JWT verification on the server side. The listener's config is a
 * {@code JwtAuthentication}; a route's override is a {@code PerRouteConfig} ({@code disabled}, or a {@code
 * requirement_name} of the listener's {@code requirement_map}).
 */
public final class JwtAuthnFilterProvider implements HttpFilterProvider {
  public static final String TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication";
  public static final String PER_ROUTE_TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig";

  private static final FieldAllowList PER_ROUTE =
      FieldAllowList.of(Set.of("disabled", "requirement_name"), Map.of());

  private final JwtEnvironment environment;

  public JwtAuthnFilterProvider() {
    this(JwtEnvironment.system());
  }

  JwtAuthnFilterProvider(JwtEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE_URL, PER_ROUTE_TYPE_URL);
  }

  @Override
  public FilterConfig parseBase(Any config, String path, DecodeContext context) throws ResourceInvalidException {
    if (!config.getTypeUrl().equals(TYPE_URL)) {
      throw new ResourceInvalidException(path + ": a listener's jwt_authn config must be JwtAuthentication, not "
          + config.getTypeUrl());
    }
    try {
      return JwtAuthnDecoder.decode(config.unpack(JwtAuthentication.class), path, environment, context);
    } catch (InvalidProtocolBufferException e) {
      throw new ResourceInvalidException(path + ": cannot unpack JwtAuthentication: " + e.getMessage());
    }
  }

  @Override
  public FilterConfig parseOverride(Any config, String path, DecodeContext context) throws ResourceInvalidException {
    if (!config.getTypeUrl().equals(PER_ROUTE_TYPE_URL)) {
      throw new ResourceInvalidException(path + ": a route's jwt_authn override must be PerRouteConfig, not "
          + config.getTypeUrl());
    }
    PerRouteConfig perRoute;
    try {
      perRoute = config.unpack(PerRouteConfig.class);
    } catch (InvalidProtocolBufferException e) {
      throw new ResourceInvalidException(path + ": cannot unpack PerRouteConfig: " + e.getMessage());
    }
    PER_ROUTE.check(perRoute, path, context);
    switch (perRoute.getRequirementSpecifierCase()) {
      case DISABLED:
        if (perRoute.getDisabled()) {
          return FilterOverrides.DISABLED;
        }
        throw new ResourceInvalidException(path + ".disabled: must be true when set");
      case REQUIREMENT_NAME:
        if (perRoute.getRequirementName().isEmpty()) {
          throw new ResourceInvalidException(path + ".requirement_name: must not be empty");
        }
        return new JwtPerRouteConfig(perRoute.getRequirementName());
      default:
        throw new ResourceInvalidException(path + ": one of disabled, requirement_name is required");
    }
  }

  @Override
  public boolean isClientFilter() {
    return false;
  }

  @Override
  public boolean isServerFilter() {
    return true;
  }
}

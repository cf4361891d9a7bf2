package io.mesh4j.runtime.filter.rbac;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.mesh4j.runtime.filter.FilterConfig;
import io.mesh4j.runtime.filter.FilterOverrides;
import io.mesh4j.runtime.filter.HttpFilterProvider;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.FieldPath;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.Map;
import java.util.Set;

/**
 * Envoy's RBAC HTTP filter ({@code envoy.extensions.filters.http.rbac.v3.RBAC}, per-route {@code RBACPerRoute}), on
 * servers only, as in gRPC.
 *
 * <p>Read: {@code rules} (absent: nothing is enforced), {@code shadow_rules} (evaluated and counted, never enforced),
 * {@code rules_stat_prefix} and {@code shadow_rules_stat_prefix} (kept with the counters). Noted and ignored: {@code
 * track_per_rule_stats} (per-policy counters are not kept). Rejected: {@code matcher} and {@code shadow_matcher}
 * (matcher trees), and every unsupported matcher inside the rules ({@link RbacPolicyDecoder}). A per-route {@code
 * RBACPerRoute} replaces the listener's config for that route; one without {@code rbac} turns the filter off there,
 * as Envoy does.
 */
public final class RbacFilterProvider implements HttpFilterProvider {
  public static final String TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC";
  public static final String PER_ROUTE_TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute";

  private static final FieldAllowList FILTER =
      FieldAllowList.of(
          Set.of("rules", "rules_stat_prefix", "shadow_rules", "shadow_rules_stat_prefix"),
          Map.of("track_per_rule_stats", "per-policy counters are not kept"));
  private static final FieldAllowList PER_ROUTE = FieldAllowList.of(Set.of("rbac"), Map.of());

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE_URL, PER_ROUTE_TYPE_URL);
  }

  @Override
  public FilterConfig parseBase(Any config, String path, DecodeContext context) throws ResourceInvalidException {
    if (!config.getTypeUrl().equals(TYPE_URL)) {
      throw new ResourceInvalidException(path + ": the filter's own config must be an RBAC, not " + config.getTypeUrl());
    }
    return decode(unpack(config, RBAC.class, path), path, context);
  }

  @Override
  public FilterConfig parseOverride(Any config, String path, DecodeContext context) throws ResourceInvalidException {
    if (!config.getTypeUrl().equals(PER_ROUTE_TYPE_URL)) {
      // As Envoy, whose per-route factory only takes RBACPerRoute: a bare RBAC here is a mistake, not an override.
      throw new ResourceInvalidException(path + ": a per-route override must be an RBACPerRoute, not "
          + config.getTypeUrl());
    }
    RBACPerRoute perRoute = unpack(config, RBACPerRoute.class, path);
    PER_ROUTE.check(perRoute, path, context);
    if (!perRoute.hasRbac()) {
      return FilterOverrides.DISABLED;
    }
    return decode(perRoute.getRbac(), FieldPath.of(path, "rbac"), context);
  }

  @Override
  public boolean isClientFilter() {
    return false;
  }

  @Override
  public boolean isServerFilter() {
    return true;
  }

  /**
   * Decodes one RBAC filter config.
   *
   * @param path the config's field path, e.g. {@code http_filters[0].typed_config}
   */
  public static RbacConfig decode(RBAC proto, String path, DecodeContext context) throws ResourceInvalidException {
    FILTER.check(proto, path, context);
    RbacEngine rules =
        proto.hasRules() ? RbacPolicyDecoder.decode(proto.getRules(), FieldPath.of(path, "rules"), context) : null;
    RbacEngine shadowRules = proto.hasShadowRules()
        ? RbacPolicyDecoder.decode(proto.getShadowRules(), FieldPath.of(path, "shadow_rules"), context)
        : null;
    RbacCounters counters = new RbacCounters(proto.getRulesStatPrefix(), proto.getShadowRulesStatPrefix());
    return new RbacConfig(TYPE_URL, rules, shadowRules, counters);
  }

  private static <T extends com.google.protobuf.Message> T unpack(Any config, Class<T> type, String path)
      throws ResourceInvalidException {
    try {
      return config.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new ResourceInvalidException(path + ": cannot unpack " + type.getSimpleName() + ": " + e.getMessage());
    }
  }
}

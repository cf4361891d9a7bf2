package io.mesh4j.runtime.filter;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The decoded {@code typed_per_filter_config} of one level (route, virtual host or weighted cluster), by filter
 * instance name. An override may also disable the filter for that level ({@code envoy.config.route.v3.FilterConfig}
 * with {@code disabled}), which {@link #DISABLED} stands for.
 */
public final class FilterOverrides {
  public static final FilterOverrides NONE = new FilterOverrides(Map.of());

  /** The filter is disabled at this level ({@code FilterConfig.disabled}). */
  public static final FilterConfig DISABLED = () -> "disabled";

  static final String FILTER_CONFIG_TYPE_URL = "type.googleapis.com/envoy.config.route.v3.FilterConfig";

  private final Map<String, FilterConfig> byName;

  private FilterOverrides(Map<String, FilterConfig> byName) {
    this.byName = byName;
  }

  /** The override for a filter instance, {@link #DISABLED}, or null when this level has none. */
  public FilterConfig get(String filterName) {
    return byName.get(filterName);
  }

  public boolean isEmpty() {
    return byName.isEmpty();
  }

  /**
   * The config that applies to a request for one filter: the most specific override (weighted cluster, then route,
   * then virtual host), else the listener's base config. Returns null when the filter is disabled there.
   */
  public static FilterConfig mostSpecific(
      HttpFilterConfig filter, FilterOverrides weightedCluster, FilterOverrides route, FilterOverrides virtualHost) {
    FilterConfig config = weightedCluster.get(filter.name());
    if (config == null) {
      config = route.get(filter.name());
    }
    if (config == null) {
      config = virtualHost.get(filter.name());
    }
    if (config == null) {
      config = filter.config();
    }
    return config == DISABLED ? null : config;
  }

  /**
   * Decodes a {@code typed_per_filter_config} map through the registry, by each value's type URL (as Envoy and gRPC
   * do: the key is the filter's instance name, which RDS cannot check against a listener it does not know). An
   * unknown type is rejected unless wrapped in {@code envoy.config.route.v3.FilterConfig} with {@code is_optional}.
   *
   * @param path the field path of the map, e.g. {@code virtual_hosts[0].typed_per_filter_config}
   */
  public static FilterOverrides decode(
      Map<String, Any> typedPerFilterConfig, String path, FilterRegistry registry, DecodeContext context)
      throws ResourceInvalidException {
    if (typedPerFilterConfig.isEmpty()) {
      return NONE;
    }
    Map<String, FilterConfig> decoded = new HashMap<>();
    // Sorted so that the first error reported does not depend on the map's iteration order.
    for (Map.Entry<String, Any> entry : new TreeMap<>(typedPerFilterConfig).entrySet()) {
      String name = entry.getKey();
      String entryPath = path + "['" + name + "']";
      if (name.isEmpty()) {
        throw new ResourceInvalidException(path + ": empty filter name");
      }
      FilterConfig config = decodeOne(entry.getValue(), entryPath, registry, context);
      if (config != null) {
        decoded.put(name, config);
      }
    }
    return decoded.isEmpty() ? NONE : new FilterOverrides(Map.copyOf(decoded));
  }

  private static FilterConfig decodeOne(Any any, String path, FilterRegistry registry, DecodeContext context)
      throws ResourceInvalidException {
    boolean optional = false;
    if (any.getTypeUrl().equals(FILTER_CONFIG_TYPE_URL)) {
      io.envoyproxy.envoy.config.route.v3.FilterConfig wrapper;
      try {
        wrapper = any.unpack(io.envoyproxy.envoy.config.route.v3.FilterConfig.class);
      } catch (InvalidProtocolBufferException e) {
        throw new ResourceInvalidException(path + ": cannot unpack FilterConfig: " + e.getMessage());
      }
      if (wrapper.getDisabled()) {
        return DISABLED;
      }
      optional = wrapper.getIsOptional();
      any = wrapper.getConfig();
      path = path + ".config";
    }
    if (any.getTypeUrl().isEmpty()) {
      throw new ResourceInvalidException(path + ": missing config");
    }
    HttpFilterProvider provider = registry.get(any.getTypeUrl());
    if (provider == null) {
      if (optional) {
        context.ignoredField("typed_per_filter_config: optional override of type " + any.getTypeUrl()
            + " not supported, skipped");
        return null;
      }
      throw new ResourceInvalidException(path + ": filter type " + any.getTypeUrl() + " is not supported");
    }
    return provider.parseOverride(any, path, context);
  }
}

package io.mesh4j.runtime.filter;

import io.mesh4j.runtime.filter.fault.FaultFilterProvider;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP filters mesh4j implements, by config type URL. The router is not here: the listener decoder handles it,
 * as the terminal filter. To add a filter (RBAC, JWT...), write an {@link HttpFilterProvider} and list it in
 * {@link #DEFAULT}.
 */
public final class FilterRegistry {
  /** Every filter mesh4j implements. */
  public static final FilterRegistry DEFAULT = of(List.of(new FaultFilterProvider()));

  private final Map<String, HttpFilterProvider> byTypeUrl;

  private FilterRegistry(Map<String, HttpFilterProvider> byTypeUrl) {
    this.byTypeUrl = Map.copyOf(byTypeUrl);
  }

  /** @throws IllegalArgumentException if two providers claim the same type URL */
  public static FilterRegistry of(List<HttpFilterProvider> providers) {
    Map<String, HttpFilterProvider> map = new HashMap<>();
    for (HttpFilterProvider provider : providers) {
      for (String typeUrl : provider.typeUrls()) {
        if (map.putIfAbsent(typeUrl, provider) != null) {
          throw new IllegalArgumentException("two providers for " + typeUrl);
        }
      }
    }
    return new FilterRegistry(map);
  }

  /** The provider for a config type URL, or null when the filter is not implemented. */
  public HttpFilterProvider get(String typeUrl) {
    return byTypeUrl.get(typeUrl);
  }
}

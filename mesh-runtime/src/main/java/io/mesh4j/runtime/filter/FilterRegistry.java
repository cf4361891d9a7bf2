package io.mesh4j.runtime.filter;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTP filter providers by config type URL (the ones mesh4j implements are listed in {@code BuiltInFilters}). The
 * router is not here: the listener decoder handles it, as the terminal filter.
 */
public final class FilterRegistry {
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

package io.mesh4j.runtime.filter.builtin;

import io.mesh4j.runtime.filter.FilterRegistry;
import io.mesh4j.runtime.filter.fault.FaultFilterProvider;
import io.mesh4j.runtime.filter.jwt.JwtAuthnFilterProvider;
import io.mesh4j.runtime.filter.rbac.RbacFilterProvider;
import java.util.List;

/**
 * The HTTP filters mesh4j implements. Above every filter package, so that {@code filter} (the filter SPI) stays below
 * the filters that implement it. To add a filter (RBAC, JWT...), write an
 * {@link io.mesh4j.runtime.filter.HttpFilterProvider} in its own package and list it here.
 */
public final class BuiltInFilters {
  /** Every filter mesh4j implements, by config type URL. */
  public static final FilterRegistry REGISTRY = FilterRegistry.of(List.of(
      new FaultFilterProvider(),
      new JwtAuthnFilterProvider(),
      new RbacFilterProvider()));

  private BuiltInFilters() {}
}

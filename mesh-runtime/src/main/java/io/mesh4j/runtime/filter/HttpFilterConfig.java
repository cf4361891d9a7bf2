package io.mesh4j.runtime.filter;

import java.util.Objects;

/**
 * One filter of a listener's HCM chain, in order: its instance {@code name} (what {@code typed_per_filter_config}
 * keys refer to) and its decoded base config.
 */
public record HttpFilterConfig(String name, FilterConfig config) {
  public HttpFilterConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(config, "config");
  }
}

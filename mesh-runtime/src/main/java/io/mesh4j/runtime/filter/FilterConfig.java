package io.mesh4j.runtime.filter;

/**
 * A decoded HTTP filter configuration: a listener's base config or a per-route override. Each filter defines its own
 * immutable implementation; the engine hands it back to the filter's runtime.
 */
public interface FilterConfig {

  /** The filter's type URL, e.g. {@code type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault}. */
  String typeUrl();
}

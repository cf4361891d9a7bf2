package io.mesh4j.runtime.model;

/**
 * What an endpoint's EDS {@code health_status} lets it do, as Envoy reads it: HEALTHY (and UNKNOWN) endpoints take
 * traffic; DEGRADED ones take traffic only when the healthy ones are not enough (or in panic); the rest (UNHEALTHY,
 * DRAINING, TIMEOUT) take traffic only in panic.
 */
public enum EndpointHealth {
  HEALTHY,
  DEGRADED,
  UNHEALTHY
}

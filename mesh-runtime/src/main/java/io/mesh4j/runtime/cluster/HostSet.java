package io.mesh4j.runtime.cluster;

/** Which of a priority's endpoints a picker balances over (Envoy's {@code HostsSource} types). */
enum HostSet {
  /** Healthy endpoints: the priority's healthy load. */
  HEALTHY,
  /** Degraded endpoints: the priority's degraded load. */
  DEGRADED,
  /** Every endpoint: the priority is in panic. */
  ALL
}

package io.mesh4j.runtime.filter.jwt;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * A decoded {@code remote_jwks}. Equal settings share one source in the process ({@link RemoteJwks#shared}), so a
 * listener update that keeps the provider keeps its keys and does not refetch.
 *
 * @param uri {@code http_uri.uri}
 * @param cluster {@code http_uri.cluster}: the cluster the fetch is sent to
 * @param timeout {@code http_uri.timeout}
 * @param cacheDuration {@code cache_duration} (default 5 minutes): how long fetched keys are fresh; stale keys are
 *     still used while refreshes fail, until the duration has passed twice
 * @param numRetries {@code retry_policy.num_retries} (0 without a retry policy)
 * @param backOffBase {@code retry_policy.retry_back_off.base_interval}
 * @param backOffMax {@code retry_policy.retry_back_off.max_interval}
 */
record RemoteJwksSettings(
    URI uri, String cluster, Duration timeout, Duration cacheDuration, int numRetries, Duration backOffBase,
    Duration backOffMax) {
  static final Duration DEFAULT_CACHE_DURATION = Duration.ofMinutes(5);
  /** A token with an unknown kid triggers at most one refresh per this interval. */
  static final Duration UNKNOWN_KID_REFRESH_INTERVAL = Duration.ofMinutes(1);

  RemoteJwksSettings {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(cacheDuration, "cacheDuration");
    Objects.requireNonNull(backOffBase, "backOffBase");
    Objects.requireNonNull(backOffMax, "backOffMax");
  }
}

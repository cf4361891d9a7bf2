package io.mesh4j.runtime.filter.jwt;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * What verification depends on outside the config: the clock (token times, JWKS cache times), how remote JWKS are
 * fetched, and the threads that fetch them. {@link #system()} in production; tests inject a clock and a fetcher.
 *
 * @param shareRemoteSources whether equal {@code remote_jwks} settings share one source process-wide
 */
record JwtEnvironment(
    LongSupplier clockMillis, JwksFetcher fetcher, ScheduledExecutorService threads, boolean shareRemoteSources) {
  JwtEnvironment {
    Objects.requireNonNull(clockMillis, "clockMillis");
    Objects.requireNonNull(fetcher, "fetcher");
    Objects.requireNonNull(threads, "threads");
  }

  static JwtEnvironment system() {
    return new JwtEnvironment(System::currentTimeMillis, JwksFetchers.current(), JwksThreads.EXECUTOR, true);
  }
}

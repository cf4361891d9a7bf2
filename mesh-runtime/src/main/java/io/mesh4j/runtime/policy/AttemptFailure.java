package io.mesh4j.runtime.policy;

/** How an attempt failed without a response, in the terms retry_on and outlier detection use. */
public enum AttemptFailure {
  /** No connection could be made (refused, unreachable, connect timeout): nothing reached the upstream. */
  CONNECT_FAILURE,
  /** HTTP/2 REFUSED_STREAM: the upstream did not process the request. */
  REFUSED_STREAM,
  /** The connection was reset or closed, or a read failed, after the request may have been sent. */
  RESET,
  /** The attempt's per-try (or idle) timeout expired before the response headers arrived. */
  TIMEOUT;

  /** The status Envoy maps a locally originated failure to, for outlier detection (not split: one counter). */
  int equivalentStatus() {
    return this == TIMEOUT ? 504 : 503;
  }
}

package io.mesh4j.runtime.policy;

import java.time.Duration;

/**
 * A route's timeouts and retries, compiled. Durations in nanoseconds; 0 means "none".
 *
 * @param timeoutNanos {@code route.timeout} (default 15 s; {@code 0s} disables it): from the start of the call until
 *     the response is complete, retries included
 * @param idleTimeoutNanos {@code route.idle_timeout}: the longest wait for bytes in either direction, 0 for none
 * @param maxStreamDurationNanos {@code route.max_stream_duration.max_stream_duration}: -1 when unset (the listener's
 *     {@code common_http_protocol_options.max_stream_duration} applies), 0 to disable it for this route
 * @param retry the route's retry policy, else its virtual host's, or {@code null}
 * @param includeAttemptCount the virtual host's {@code include_request_attempt_count}: send
 *     {@code x-envoy-attempt-count}
 * @param grpcTimeoutHeaderMaxNanos {@code max_stream_duration.grpc_timeout_header_max}: -1 when unset; when set, a
 *     gRPC call's own timeout (its {@code grpc-timeout} header, the deadline) is the stream duration, capped by this
 *     value unless it is 0
 * @param grpcTimeoutHeaderOffsetNanos {@code max_stream_duration.grpc_timeout_header_offset}: subtracted from that
 *     timeout, so that the mesh times the call out before the caller does; 0 when unset
 */
public record RoutePolicy(
    long timeoutNanos,
    long idleTimeoutNanos,
    long maxStreamDurationNanos,
    RetryPolicy retry,
    boolean includeAttemptCount,
    long grpcTimeoutHeaderMaxNanos,
    long grpcTimeoutHeaderOffsetNanos) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
  public static final RoutePolicy DEFAULT = new RoutePolicy(DEFAULT_TIMEOUT.toNanos(), 0, -1, null, false);

  /** A policy without the gRPC timeout header settings. */
  public RoutePolicy(
      long timeoutNanos, long idleTimeoutNanos, long maxStreamDurationNanos, RetryPolicy retry,
      boolean includeAttemptCount) {
    this(timeoutNanos, idleTimeoutNanos, maxStreamDurationNanos, retry, includeAttemptCount, -1, 0);
  }

  /**
   * How long the whole call may take: the route timeout and the max stream duration (the route's, else the
   * listener's), whichever is shorter; 0 when neither applies.
   *
   * @param listenerMaxStreamDuration the HCM's {@code max_stream_duration}, or {@code null}
   */
  public long callTimeoutNanos(Duration listenerMaxStreamDuration) {
    long streamDuration = maxStreamDurationNanos >= 0
        ? maxStreamDurationNanos
        : listenerMaxStreamDuration == null ? 0 : listenerMaxStreamDuration.toNanos();
    return minPositive(timeoutNanos, streamDuration);
  }

  /**
   * {@link #callTimeoutNanos(Duration)} for a gRPC call whose own timeout (what its {@code grpc-timeout} header
   * carries) is {@code grpcTimeoutNanos}, or -1 when it has none. As Envoy's stream duration timer: when
   * {@code grpc_timeout_header_max} is set and the call has a timeout, that timeout (capped by the max unless it is 0,
   * minus the offset) replaces {@code max_stream_duration}; an offset that leaves nothing times the call out at once
   * (1 ns). The route timeout applies either way, and the shorter wins.
   */
  public long callTimeoutNanos(Duration listenerMaxStreamDuration, long grpcTimeoutNanos) {
    if (grpcTimeoutNanos < 0 || grpcTimeoutHeaderMaxNanos < 0) {
      return callTimeoutNanos(listenerMaxStreamDuration);
    }
    long streamDuration = grpcTimeoutNanos;
    if (grpcTimeoutHeaderMaxNanos > 0 && streamDuration > grpcTimeoutHeaderMaxNanos) {
      streamDuration = grpcTimeoutHeaderMaxNanos;
    }
    if (grpcTimeoutHeaderOffsetNanos > 0) {
      streamDuration = Math.max(1, streamDuration - grpcTimeoutHeaderOffsetNanos);
    }
    return minPositive(timeoutNanos, Math.max(1, streamDuration));
  }

  /** The per-try timeout of the retry policy, 0 for none. */
  public long perTryTimeoutNanos() {
    return retry == null ? 0 : retry.perTryTimeoutNanos();
  }

  /** The idle timeout of one attempt: the route's and the retry policy's per-try idle timeout, the shorter. */
  public long attemptIdleTimeoutNanos() {
    return minPositive(idleTimeoutNanos, retry == null ? 0 : retry.perTryIdleTimeoutNanos());
  }

  static long minPositive(long a, long b) {
    if (a <= 0) {
      return Math.max(b, 0);
    }
    return b <= 0 ? a : Math.min(a, b);
  }
}

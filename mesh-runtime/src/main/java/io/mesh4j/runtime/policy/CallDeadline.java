package io.mesh4j.runtime.policy;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshRoutingException.Reason;
import java.time.Duration;

/**
 * When a routed call must end: the earliest of the mesh's timeout (the route {@code timeout} and the stream duration,
 * {@code max_stream_duration} or under {@code grpc_timeout_header_max} the caller's own timeout with its offset,
 * less an injected fault delay already waited out) and the caller's own deadline. Which one wins decides how the
 * call ends: the mesh's timeout is an upstream timeout (504 UT, counted against the endpoint), the caller's is not.
 * Immutable and transport-neutral: gRPC calls and OkHttp calls (which have no caller deadline the mesh sees, OkHttp
 * enforcing its own {@code callTimeout}) both take their deadline from here.
 */
public final class CallDeadline {
  private static final CallDeadline NONE = new CallDeadline(0, Long.MAX_VALUE, false, 0);

  private final long remainingNanos;
  private final long nanoTime;
  private final boolean mesh;
  private final long meshTimeoutNanos;

  private CallDeadline(long remainingNanos, long nanoTime, boolean mesh, long meshTimeoutNanos) {
    this.remainingNanos = remainingNanos;
    this.nanoTime = nanoTime;
    this.mesh = mesh;
    this.meshTimeoutNanos = meshTimeoutNanos;
  }

  /**
   * @param callerTimeoutNanos the caller's own time left, -1 for no deadline
   * @param listenerMaxStreamDuration the listener's {@code max_stream_duration}, or null
   * @param faultDelayNanos an injected delay the call already waited out; it counts against the mesh's timeout
   * @param nowNanos the policy clock now
   */
  public static CallDeadline of(RoutePolicy policy, Duration listenerMaxStreamDuration, long callerTimeoutNanos,
      long faultDelayNanos, long nowNanos) {
    long meshTimeout = policy.callTimeoutNanos(listenerMaxStreamDuration, callerTimeoutNanos);
    long timeout = meshTimeout > 0 ? Math.max(1, meshTimeout - faultDelayNanos) : 0;
    boolean mesh = timeout > 0;
    long effective = timeout;
    if (callerTimeoutNanos >= 0 && (effective <= 0 || callerTimeoutNanos < effective)) {
      effective = Math.max(1, callerTimeoutNanos);
      mesh = false;
    }
    return effective > 0 ? new CallDeadline(effective, nowNanos + effective, mesh, meshTimeout) : NONE;
  }

  /** Whether there is a deadline at all. */
  public boolean exists() {
    return nanoTime != Long.MAX_VALUE;
  }

  /** How long the call had when it started (for the timer), 0 for no deadline. */
  public long remainingNanos() {
    return remainingNanos;
  }

  /** The deadline on the policy clock, {@link Long#MAX_VALUE} for none. */
  public long nanoTime() {
    return nanoTime;
  }

  /** Whether the mesh's timeout, not the caller's deadline, is the earliest. */
  public boolean isMeshTimeout() {
    return mesh;
  }

  /** Whether the caller's own deadline (not the mesh's) has passed at {@code nowNanos}. */
  public boolean callersPassed(long nowNanos) {
    return !mesh && exists() && nanoTime - nowNanos <= 0;
  }

  /** The mesh's timeout as Envoy names it ({@code UPSTREAM_TIMEOUT}, 504 UT) for a call to {@code cluster}. */
  public MeshRoutingException meshTimeout(String cluster) {
    return new MeshRoutingException(Reason.UPSTREAM_TIMEOUT, "cluster '" + cluster + "': the route timeout of "
        + Duration.ofNanos(meshTimeoutNanos) + " expired");
  }
}

package io.mesh4j.runtime.route;

import static io.mesh4j.runtime.xds.FieldPath.of;

import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteAction.MaxStreamDuration;
import io.mesh4j.runtime.policy.RetryPolicy;
import io.mesh4j.runtime.policy.RoutePolicy;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ProtoDurations;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.Map;
import java.util.Set;

/**
 * The timeouts and retries of a RouteAction: {@code timeout} (default 15 s, {@code 0s} disables),
 * {@code idle_timeout} ({@code 0s} disables), {@code max_stream_duration.max_stream_duration} (unset: the listener's;
 * {@code 0s}: none for this route), {@code retry_policy} (else the virtual host's; Envoy does not merge them).
 * {@code max_stream_duration.grpc_timeout_header_max} and {@code grpc_timeout_header_offset} concern the
 * {@code grpc-timeout} header, which only gRPC requests carry: the gRPC transport applies them to the call's deadline
 * ({@link RoutePolicy#callTimeoutNanos(java.time.Duration, long)}); OkHttp requests have no such header.
 */
final class RoutePolicyDecoder {
  private static final FieldAllowList MAX_STREAM_DURATION =
      FieldAllowList.of(
          Set.of("max_stream_duration", "grpc_timeout_header_max", "grpc_timeout_header_offset"), Map.of());

  private RoutePolicyDecoder() {}

  static RoutePolicy decode(
      RouteAction action, String path, RetryPolicy hostRetry, boolean includeAttemptCount, DecodeContext context)
      throws ResourceInvalidException {
    long timeout = RoutePolicy.DEFAULT_TIMEOUT.toNanos();
    if (action.hasTimeout()) {
      timeout = ProtoDurations.nonNegative(action.getTimeout(), of(path, "timeout")).toNanos();
    }
    long idle = 0;
    if (action.hasIdleTimeout()) {
      idle = ProtoDurations.nonNegative(action.getIdleTimeout(), of(path, "idle_timeout")).toNanos();
    }
    long maxStreamDuration = -1;
    long grpcTimeoutHeaderMax = -1;
    long grpcTimeoutHeaderOffset = 0;
    if (action.hasMaxStreamDuration()) {
      MaxStreamDuration proto = action.getMaxStreamDuration();
      String msdPath = of(path, "max_stream_duration");
      MAX_STREAM_DURATION.check(proto, msdPath, context);
      if (proto.hasMaxStreamDuration()) {
        maxStreamDuration = ProtoDurations.nonNegative(
            proto.getMaxStreamDuration(), of(msdPath, "max_stream_duration")).toNanos();
      }
      if (proto.hasGrpcTimeoutHeaderMax()) {
        grpcTimeoutHeaderMax = ProtoDurations.nonNegative(
            proto.getGrpcTimeoutHeaderMax(), of(msdPath, "grpc_timeout_header_max")).toNanos();
      }
      if (proto.hasGrpcTimeoutHeaderOffset()) {
        grpcTimeoutHeaderOffset = ProtoDurations.nonNegative(
            proto.getGrpcTimeoutHeaderOffset(), of(msdPath, "grpc_timeout_header_offset")).toNanos();
      }
    }
    RetryPolicy retry = action.hasRetryPolicy()
        ? RetryPolicyDecoder.decode(action.getRetryPolicy(), of(path, "retry_policy"), context)
        : hostRetry;
    return new RoutePolicy(
        timeout, idle, maxStreamDuration, retry, includeAttemptCount, grpcTimeoutHeaderMax, grpcTimeoutHeaderOffset);
  }
}

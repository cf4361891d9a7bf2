package io.mesh4j.runtime.policy;

import io.mesh4j.runtime.view.ResponseView;

/**
 * Whether an attempt's outcome is worth a retry under a policy: Envoy's {@code RetryStateImpl} decisions as a ladder of
 * small predicates, one reason per line. Whether a retry may actually happen (retries left, a replayable body, the
 * retry circuit breaker, the deadline) is the {@link AttemptLoop}'s business.
 */
public final class RetryClassifier {
  private RetryClassifier() {}

  /**
   * The gRPC conditions ({@code cancelled}, {@code unavailable}, ...) read {@code grpc-status} from the response
   * headers of any request, gRPC or not, as Envoy's router does: an HTTP/1.1 service answering {@code 503} with
   * {@code grpc-status: 14} is retried under {@code retry_on: unavailable}. Only headers count (a trailers-only gRPC
   * response carries its status there); a status in trailers after a body is never read, as in Envoy.
   */
  public static boolean retriable(RetryPolicy policy, ResponseView response) {
    int on = policy.retryOn();
    int status = response.status();
    if (has(on, RetryOn.FIVE_XX) && status >= 500 && status <= 599) {
      return true;
    }
    if (has(on, RetryOn.GATEWAY_ERROR) && status >= 502 && status <= 504) {
      return true;
    }
    if (has(on, RetryOn.RETRIABLE_4XX) && status == 409) {
      return true;
    }
    if (has(on, RetryOn.RETRIABLE_STATUS_CODES) && policy.hasRetriableStatus(status)) {
      return true;
    }
    if (has(on, RetryOn.ENVOY_RATELIMITED) && response.header("x-envoy-ratelimited") != null) {
      return true;
    }
    if (has(on, RetryOn.RETRIABLE_HEADERS) && policy.matchesRetriableHeader(response)) {
      return true;
    }
    if ((on & RetryOn.ANY_GRPC) != 0) {
      return grpcRetriable(on, response.header("grpc-status"));
    }
    return false;
  }

  /** Envoy counts every upstream reset (and timeout) as a would-be 5xx; only connect-failure is narrower. */
  public static boolean retriable(RetryPolicy policy, AttemptFailure failure) {
    int on = policy.retryOn();
    if (has(on, RetryOn.FIVE_XX | RetryOn.GATEWAY_ERROR | RetryOn.RESET)) {
      return true;
    }
    if (has(on, RetryOn.CONNECT_FAILURE) && failure == AttemptFailure.CONNECT_FAILURE) {
      return true;
    }
    // Only a failed connect is known to have happened before any of the request was sent.
    if (has(on, RetryOn.RESET_BEFORE_REQUEST) && failure == AttemptFailure.CONNECT_FAILURE) {
      return true;
    }
    if (has(on, RetryOn.REFUSED_STREAM) && failure == AttemptFailure.REFUSED_STREAM) {
      return true;
    }
    return false;
  }

  private static boolean grpcRetriable(int on, String grpcStatus) {
    if (grpcStatus == null) {
      return false;
    }
    switch (grpcStatus) {
      case "1":
        return has(on, RetryOn.GRPC_CANCELLED);
      case "4":
        return has(on, RetryOn.GRPC_DEADLINE_EXCEEDED);
      case "8":
        return has(on, RetryOn.GRPC_RESOURCE_EXHAUSTED);
      case "13":
        return has(on, RetryOn.GRPC_INTERNAL);
      case "14":
        return has(on, RetryOn.GRPC_UNAVAILABLE);
      default:
        return false;
    }
  }

  private static boolean has(int on, int bits) {
    return (on & bits) != 0;
  }
}

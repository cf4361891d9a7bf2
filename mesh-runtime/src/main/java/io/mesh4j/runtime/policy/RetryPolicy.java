package io.mesh4j.runtime.policy;

import io.mesh4j.runtime.view.RequestView;
import io.mesh4j.runtime.view.ResponseView;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A compiled {@code envoy.config.route.v3.RetryPolicy} (the route's, or else its virtual host's: Envoy does not merge
 * them). Immutable. Built by the route decoder, which validates the proto.
 *
 * @param retryOn {@link RetryOn} bits
 * @param numRetries retries after the first attempt ({@code num_retries}, default 1): N retries, N + 1 attempts
 * @param perTryTimeoutNanos {@code per_try_timeout}, 0 when unset
 * @param perTryIdleTimeoutNanos {@code per_try_idle_timeout}, 0 when unset
 * @param retriableStatusCodes {@code retriable_status_codes}
 * @param retriableHeaders {@code retriable_headers}: matchers of response headers (seen through {@link RequestView})
 * @param retriableRequestHeaders {@code retriable_request_headers}: when not empty, only a request matching one of
 *     them is retried
 * @param hostSelectionMaxAttempts {@code host_selection_retry_max_attempts} (default 1): how many picks a retry may
 *     spend looking for an endpoint not tried before, when {@code avoidPreviousHosts}
 * @param avoidPreviousHosts the {@code envoy.retry_host_predicates.previous_hosts} predicate is configured
 */
public record RetryPolicy(
    int retryOn,
    int numRetries,
    long perTryTimeoutNanos,
    long perTryIdleTimeoutNanos,
    RetryBackoff backoff,
    int[] retriableStatusCodes,
    List<Predicate<RequestView>> retriableHeaders,
    List<Predicate<RequestView>> retriableRequestHeaders,
    boolean avoidPreviousHosts,
    int hostSelectionMaxAttempts) {
  /** Envoy's {@code num_retries} when a policy exists but does not set it. */
  public static final int DEFAULT_NUM_RETRIES = 1;

  public RetryPolicy {
    Objects.requireNonNull(backoff, "backoff");
    retriableStatusCodes = retriableStatusCodes.clone();
    Arrays.sort(retriableStatusCodes);
    retriableHeaders = List.copyOf(retriableHeaders);
    retriableRequestHeaders = List.copyOf(retriableRequestHeaders);
    if (numRetries < 0 || hostSelectionMaxAttempts < 1) {
      throw new IllegalArgumentException("numRetries >= 0 and hostSelectionMaxAttempts >= 1");
    }
  }

  boolean hasRetriableStatus(int status) {
    return Arrays.binarySearch(retriableStatusCodes, status) >= 0;
  }

  /** Whether {@code retriable_request_headers} allows retrying this request. */
  public boolean requestIsRetriable(RequestView request) {
    if (retriableRequestHeaders.isEmpty()) {
      return true;
    }
    for (Predicate<RequestView> matcher : retriableRequestHeaders) {
      if (matcher.test(request)) {
        return true;
      }
    }
    return false;
  }

  boolean matchesRetriableHeader(ResponseView response) {
    RequestView headers = new ResponseHeaders(response);
    for (Predicate<RequestView> matcher : retriableHeaders) {
      if (matcher.test(headers)) {
        return true;
      }
    }
    return false;
  }

  /** Response headers seen as the header source the route package's matchers read. */
  private record ResponseHeaders(ResponseView response) implements RequestView {
    @Override
    public String authority() {
      return null;
    }

    @Override
    public String path() {
      return null;
    }

    @Override
    public String header(String lowerCaseName) {
      return lowerCaseName.equals(":status") ? Integer.toString(response.status()) : response.header(lowerCaseName);
    }
  }
}

package io.mesh4j.runtime.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.runtime.view.RequestView;
import io.mesh4j.runtime.view.ResponseView;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Each retry_on condition, and the conditions it must not cover. */
class RetryClassifierTest {
  static RetryPolicy policy(int retryOn, int[] codes, List<Predicate<RequestView>> headers) {
    return new RetryPolicy(retryOn, 1, 0, 0, RetryBackoff.DEFAULT, codes, headers, List.of(), false, 1);
  }

  static RetryPolicy policy(int retryOn) {
    return policy(retryOn, new int[0], List.of());
  }

  static ResponseView response(int status, Map<String, String> headers) {
    return new ResponseView() {
      @Override
      public int status() {
        return status;
      }

      @Override
      public String header(String name) {
        return headers.get(name);
      }
    };
  }

  static ResponseView response(int status) {
    return response(status, Map.of());
  }

  @Test
  void fiveXxCoversEvery5xxAndEveryFailure() {
    RetryPolicy p = policy(RetryOn.FIVE_XX);
    assertThat(RetryClassifier.retriable(p, response(500))).isTrue();
    assertThat(RetryClassifier.retriable(p, response(599))).isTrue();
    assertThat(RetryClassifier.retriable(p, response(499))).isFalse();
    assertThat(RetryClassifier.retriable(p, response(200))).isFalse();
    for (AttemptFailure f : AttemptFailure.values()) {
      assertThat(RetryClassifier.retriable(p, f)).as(f.name()).isTrue();
    }
  }

  @Test
  void gatewayErrorIs502To504AndEveryFailure() {
    RetryPolicy p = policy(RetryOn.GATEWAY_ERROR);
    assertThat(RetryClassifier.retriable(p, response(501))).isFalse();
    assertThat(RetryClassifier.retriable(p, response(502))).isTrue();
    assertThat(RetryClassifier.retriable(p, response(504))).isTrue();
    assertThat(RetryClassifier.retriable(p, response(505))).isFalse();
    assertThat(RetryClassifier.retriable(p, AttemptFailure.RESET)).isTrue();
  }

  @Test
  void connectFailureAndRefusedStreamAreNarrow() {
    RetryPolicy connect = policy(RetryOn.CONNECT_FAILURE);
    assertThat(RetryClassifier.retriable(connect, AttemptFailure.CONNECT_FAILURE)).isTrue();
    assertThat(RetryClassifier.retriable(connect, AttemptFailure.RESET)).isFalse();
    assertThat(RetryClassifier.retriable(connect, AttemptFailure.TIMEOUT)).isFalse();
    assertThat(RetryClassifier.retriable(connect, response(503))).isFalse();
    RetryPolicy refused = policy(RetryOn.REFUSED_STREAM);
    assertThat(RetryClassifier.retriable(refused, AttemptFailure.REFUSED_STREAM)).isTrue();
    assertThat(RetryClassifier.retriable(refused, AttemptFailure.CONNECT_FAILURE)).isFalse();
    RetryPolicy beforeRequest = policy(RetryOn.RESET_BEFORE_REQUEST);
    assertThat(RetryClassifier.retriable(beforeRequest, AttemptFailure.CONNECT_FAILURE)).isTrue();
    assertThat(RetryClassifier.retriable(beforeRequest, AttemptFailure.RESET)).isFalse();
    RetryPolicy reset = policy(RetryOn.RESET);
    assertThat(RetryClassifier.retriable(reset, AttemptFailure.RESET)).isTrue();
    assertThat(RetryClassifier.retriable(reset, response(503))).isFalse();
  }

  @Test
  void retriable4xxIsOnly409() {
    RetryPolicy p = policy(RetryOn.RETRIABLE_4XX);
    assertThat(RetryClassifier.retriable(p, response(409))).isTrue();
    assertThat(RetryClassifier.retriable(p, response(404))).isFalse();
    assertThat(RetryClassifier.retriable(p, response(503))).isFalse();
  }

  @Test
  void retriableStatusCodesOnlyWithTheToken() {
    int[] codes = {418, 503};
    assertThat(RetryClassifier.retriable(policy(RetryOn.RETRIABLE_STATUS_CODES, codes, List.of()), response(418)))
        .isTrue();
    assertThat(RetryClassifier.retriable(policy(RetryOn.RETRIABLE_STATUS_CODES, codes, List.of()), response(500)))
        .isFalse();
    assertThat(RetryClassifier.retriable(policy(RetryOn.CONNECT_FAILURE, codes, List.of()), response(418)))
        .isFalse();
  }

  @Test
  void retriableHeadersMatchResponseHeaders() {
    Predicate<RequestView> retryMe = r -> "yes".equals(r.header("x-retry-me"));
    RetryPolicy p = policy(RetryOn.RETRIABLE_HEADERS, new int[0], List.of(retryMe));
    assertThat(RetryClassifier.retriable(p, response(200, Map.of("x-retry-me", "yes")))).isTrue();
    assertThat(RetryClassifier.retriable(p, response(200, Map.of("x-retry-me", "no")))).isFalse();
    assertThat(RetryClassifier.retriable(p, response(200))).isFalse();
  }

  @Test
  void grpcConditionsReadGrpcStatusFromTheResponseHeaders() {
    RetryPolicy p = policy(RetryOn.GRPC_UNAVAILABLE | RetryOn.GRPC_CANCELLED);
    assertThat(RetryClassifier.retriable(p, response(200, Map.of("grpc-status", "14")))).isTrue();
    assertThat(RetryClassifier.retriable(p, response(200, Map.of("grpc-status", "1")))).isTrue();
    assertThat(RetryClassifier.retriable(p, response(200, Map.of("grpc-status", "13")))).isFalse();
    assertThat(RetryClassifier.retriable(p, response(200))).isFalse();
    assertThat(RetryClassifier.retriable(p, AttemptFailure.RESET)).isFalse();
    RetryPolicy all = policy(RetryOn.GRPC_DEADLINE_EXCEEDED | RetryOn.GRPC_INTERNAL | RetryOn.GRPC_RESOURCE_EXHAUSTED);
    assertThat(RetryClassifier.retriable(all, response(200, Map.of("grpc-status", "4")))).isTrue();
    assertThat(RetryClassifier.retriable(all, response(200, Map.of("grpc-status", "8")))).isTrue();
    assertThat(RetryClassifier.retriable(all, response(200, Map.of("grpc-status", "13")))).isTrue();
    assertThat(RetryClassifier.retriable(all, response(200, Map.of("grpc-status", "0")))).isFalse();
  }

  @Test
  void grpcConditionsApplyToPlainHttpResponsesToo() {
    // Envoy's router has no content-type gate: an HTTP/1.1 503 carrying grpc-status 14 is "unavailable".
    RetryPolicy unavailable = policy(RetryOn.GRPC_UNAVAILABLE);
    assertThat(RetryClassifier.retriable(unavailable,
        response(503, Map.of("content-type", "text/plain", "grpc-status", "14")))).isTrue();
    assertThat(RetryClassifier.retriable(unavailable, response(503, Map.of("content-type", "text/plain"))))
        .as("a 503 without grpc-status is not a gRPC condition")
        .isFalse();
    assertThat(RetryClassifier.retriable(unavailable,
        response(503, Map.of("content-type", "text/plain", "grpc-status", "8")))).isFalse();
    assertThat(RetryClassifier.retriable(unavailable, response(503, Map.of("grpc-status", "unavailable"))))
        .as("grpc-status is a number")
        .isFalse();
  }

  @Test
  void envoyRateLimitedNeedsItsHeader() {
    RetryPolicy p = policy(RetryOn.ENVOY_RATELIMITED);
    assertThat(RetryClassifier.retriable(p, response(429, Map.of("x-envoy-ratelimited", "true")))).isTrue();
    assertThat(RetryClassifier.retriable(p, response(429))).isFalse();
  }

  @Test
  void noConditionsNeverRetry() {
    RetryPolicy p = policy(0);
    assertThat(RetryClassifier.retriable(p, response(503))).isFalse();
    for (AttemptFailure f : AttemptFailure.values()) {
      assertThat(RetryClassifier.retriable(p, f)).isFalse();
    }
  }
}

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
    assertThat(RetryClassifier.retriable(p, response(500), false)).isTrue();
    assertThat(RetryClassifier.retriable(p, response(599), false)).isTrue();
    assertThat(RetryClassifier.retriable(p, response(499), false)).isFalse();
    assertThat(RetryClassifier.retriable(p, response(200), false)).isFalse();
    for (AttemptFailure f : AttemptFailure.values()) {
      assertThat(RetryClassifier.retriable(p, f)).as(f.name()).isTrue();
    }
  }

  @Test
  void gatewayErrorIs502To504AndEveryFailure() {
    RetryPolicy p = policy(RetryOn.GATEWAY_ERROR);
    assertThat(RetryClassifier.retriable(p, response(501), false)).isFalse();
    assertThat(RetryClassifier.retriable(p, response(502), false)).isTrue();
    assertThat(RetryClassifier.retriable(p, response(504), false)).isTrue();
    assertThat(RetryClassifier.retriable(p, response(505), false)).isFalse();
    assertThat(RetryClassifier.retriable(p, AttemptFailure.RESET)).isTrue();
  }

  @Test
  void connectFailureAndRefusedStreamAreNarrow() {
    RetryPolicy connect = policy(RetryOn.CONNECT_FAILURE);
    assertThat(RetryClassifier.retriable(connect, AttemptFailure.CONNECT_FAILURE)).isTrue();
    assertThat(RetryClassifier.retriable(connect, AttemptFailure.RESET)).isFalse();
    assertThat(RetryClassifier.retriable(connect, AttemptFailure.TIMEOUT)).isFalse();
    assertThat(RetryClassifier.retriable(connect, response(503), false)).isFalse();
    RetryPolicy refused = policy(RetryOn.REFUSED_STREAM);
    assertThat(RetryClassifier.retriable(refused, AttemptFailure.REFUSED_STREAM)).isTrue();
    assertThat(RetryClassifier.retriable(refused, AttemptFailure.CONNECT_FAILURE)).isFalse();
    RetryPolicy beforeRequest = policy(RetryOn.RESET_BEFORE_REQUEST);
    assertThat(RetryClassifier.retriable(beforeRequest, AttemptFailure.CONNECT_FAILURE)).isTrue();
    assertThat(RetryClassifier.retriable(beforeRequest, AttemptFailure.RESET)).isFalse();
    RetryPolicy reset = policy(RetryOn.RESET);
    assertThat(RetryClassifier.retriable(reset, AttemptFailure.RESET)).isTrue();
    assertThat(RetryClassifier.retriable(reset, response(503), false)).isFalse();
  }

  @Test
  void retriable4xxIsOnly409() {
    RetryPolicy p = policy(RetryOn.RETRIABLE_4XX);
    assertThat(RetryClassifier.retriable(p, response(409), false)).isTrue();
    assertThat(RetryClassifier.retriable(p, response(404), false)).isFalse();
    assertThat(RetryClassifier.retriable(p, response(503), false)).isFalse();
  }

  @Test
  void retriableStatusCodesOnlyWithTheToken() {
    int[] codes = {418, 503};
    assertThat(RetryClassifier.retriable(policy(RetryOn.RETRIABLE_STATUS_CODES, codes, List.of()), response(418), false))
        .isTrue();
    assertThat(RetryClassifier.retriable(policy(RetryOn.RETRIABLE_STATUS_CODES, codes, List.of()), response(500), false))
        .isFalse();
    assertThat(RetryClassifier.retriable(policy(RetryOn.CONNECT_FAILURE, codes, List.of()), response(418), false))
        .isFalse();
  }

  @Test
  void retriableHeadersMatchResponseHeaders() {
    Predicate<RequestView> retryMe = r -> "yes".equals(r.header("x-retry-me"));
    RetryPolicy p = policy(RetryOn.RETRIABLE_HEADERS, new int[0], List.of(retryMe));
    assertThat(RetryClassifier.retriable(p, response(200, Map.of("x-retry-me", "yes")), false)).isTrue();
    assertThat(RetryClassifier.retriable(p, response(200, Map.of("x-retry-me", "no")), false)).isFalse();
    assertThat(RetryClassifier.retriable(p, response(200), false)).isFalse();
  }

  @Test
  void grpcConditionsReadGrpcStatusOfGrpcRequestsOnly() {
    RetryPolicy p = policy(RetryOn.GRPC_UNAVAILABLE | RetryOn.GRPC_CANCELLED);
    assertThat(RetryClassifier.retriable(p, response(200, Map.of("grpc-status", "14")), true)).isTrue();
    assertThat(RetryClassifier.retriable(p, response(200, Map.of("grpc-status", "1")), true)).isTrue();
    assertThat(RetryClassifier.retriable(p, response(200, Map.of("grpc-status", "13")), true)).isFalse();
    assertThat(RetryClassifier.retriable(p, response(200, Map.of("grpc-status", "14")), false)).isFalse();
    assertThat(RetryClassifier.retriable(p, response(200), true)).isFalse();
    assertThat(RetryClassifier.retriable(p, AttemptFailure.RESET)).isFalse();
    RetryPolicy all = policy(RetryOn.GRPC_DEADLINE_EXCEEDED | RetryOn.GRPC_INTERNAL | RetryOn.GRPC_RESOURCE_EXHAUSTED);
    assertThat(RetryClassifier.retriable(all, response(200, Map.of("grpc-status", "4")), true)).isTrue();
    assertThat(RetryClassifier.retriable(all, response(200, Map.of("grpc-status", "8")), true)).isTrue();
    assertThat(RetryClassifier.retriable(all, response(200, Map.of("grpc-status", "13")), true)).isTrue();
    assertThat(RetryClassifier.retriable(all, response(200, Map.of("grpc-status", "0")), true)).isFalse();
  }

  @Test
  void envoyRateLimitedNeedsItsHeader() {
    RetryPolicy p = policy(RetryOn.ENVOY_RATELIMITED);
    assertThat(RetryClassifier.retriable(p, response(429, Map.of("x-envoy-ratelimited", "true")), false)).isTrue();
    assertThat(RetryClassifier.retriable(p, response(429), false)).isFalse();
  }

  @Test
  void noConditionsNeverRetry() {
    RetryPolicy p = policy(0);
    assertThat(RetryClassifier.retriable(p, response(503), false)).isFalse();
    for (AttemptFailure f : AttemptFailure.values()) {
      assertThat(RetryClassifier.retriable(p, f)).isFalse();
    }
  }
}

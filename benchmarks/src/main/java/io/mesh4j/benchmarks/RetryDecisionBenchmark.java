package io.mesh4j.benchmarks;

import io.mesh4j.runtime.policy.RetryBackoff;
import io.mesh4j.runtime.policy.RetryClassifier;
import io.mesh4j.runtime.policy.RetryOn;
import io.mesh4j.runtime.policy.RetryPolicy;
import io.mesh4j.runtime.view.ResponseView;
import io.mesh4j.runtime.view.RequestView;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Classifying one attempt's response under a retry policy: what every routed response pays once a route has a retry
 * policy (istiod puts one on every route). Istio's default policy against a 200 (the common case), a 503 and a gRPC
 * UNAVAILABLE; and a policy with a retriable-headers matcher, the most expensive condition.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RetryDecisionBenchmark {
  /** What istiod sends: connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes + 503. */
  private final RetryPolicy istio = new RetryPolicy(
      RetryOn.CONNECT_FAILURE | RetryOn.REFUSED_STREAM | RetryOn.GRPC_UNAVAILABLE | RetryOn.GRPC_CANCELLED
          | RetryOn.RETRIABLE_STATUS_CODES,
      2, 0, 0, RetryBackoff.DEFAULT, new int[] {503}, List.of(), List.of(), true, 5);

  private final Predicate<RequestView> retryHeader = r -> "true".equals(r.header("x-retry-me"));
  private final RetryPolicy headers = new RetryPolicy(RetryOn.FIVE_XX | RetryOn.RETRIABLE_HEADERS, 2, 0, 0,
      RetryBackoff.DEFAULT, new int[0], List.of(retryHeader), List.of(), false, 1);

  private final ResponseView ok = new Response(200, new String[] {"content-type", "application/json"});
  private final ResponseView unavailable = new Response(503, new String[] {"content-type", "text/plain"});
  private final ResponseView grpcUnavailable =
      new Response(200, new String[] {"content-type", "application/grpc", "grpc-status", "14"});

  /** Headers as name/value pairs, looked up as OkHttp's Headers are: a linear scan. */
  private record Response(int status, String[] namesAndValues) implements ResponseView {
    @Override
    public String header(String lowerCaseName) {
      for (int i = 0; i < namesAndValues.length; i += 2) {
        if (namesAndValues[i].equalsIgnoreCase(lowerCaseName)) {
          return namesAndValues[i + 1];
        }
      }
      return null;
    }
  }

  @Benchmark
  public boolean istioPolicyOn200() {
    return RetryClassifier.retriable(istio, ok);
  }

  @Benchmark
  public boolean istioPolicyOn503() {
    return RetryClassifier.retriable(istio, unavailable);
  }

  @Benchmark
  public boolean istioPolicyOnGrpcUnavailable() {
    return RetryClassifier.retriable(istio, grpcUnavailable);
  }

  @Benchmark
  public boolean retriableHeadersOn200() {
    return RetryClassifier.retriable(headers, ok);
  }
}

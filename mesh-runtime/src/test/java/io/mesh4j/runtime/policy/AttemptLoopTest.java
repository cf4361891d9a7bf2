package io.mesh4j.runtime.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.model.CircuitBreakerThresholds;
import io.mesh4j.runtime.view.RequestView;
import io.mesh4j.runtime.testing.FakeTime;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.model.LocalityEndpoints;
import io.mesh4j.runtime.view.ResponseView;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The attempt loop with a scripted transport and a fake clock: retries, back-off, breakers, host avoidance. */
class AttemptLoopTest {
  private static final long MS = 1_000_000;
  private static final RequestView REQUEST = new RequestView() {
    @Override
    public String authority() {
      return "svc";
    }

    @Override
    public String path() {
      return "/";
    }

    @Override
    public String header(String name) {
      return name.equals("x-retry-ok") ? "1" : null;
    }
  };

  private final FakeTime time = new FakeTime();
  // A random source that always returns the same value: back-offs are then exact (value % ceiling).
  private final PolicyEnvironment env = time.environment(() -> 10 * MS);
  private final AttemptLoop loop = new AttemptLoop(env);

  /** One scripted outcome per attempt: a status, or an exception to throw. */
  private static class Script implements AttemptLoop.Transport<Integer> {
    final Deque<Object> outcomes;
    final List<LbEndpoint> sentTo = new ArrayList<>();
    final List<Integer> discarded = new ArrayList<>();
    Runnable onComplete;

    Script(Object... outcomes) {
      this.outcomes = new ArrayDeque<>(Arrays.asList(outcomes));
    }

    @Override
    public Integer send(LbEndpoint endpoint, int attempt) throws IOException {
      sentTo.add(endpoint);
      assertThat(attempt).isEqualTo(sentTo.size());
      Object next = outcomes.isEmpty() ? 200 : outcomes.poll();
      if (next instanceof IOException e) {
        throw e;
      }
      return (Integer) next;
    }

    @Override
    public ResponseView view(Integer status) {
      return RetryClassifierTest.response(status, Map.of());
    }

    @Override
    public AttemptFailure classify(IOException failure) {
      return failure instanceof ConnectException ? AttemptFailure.CONNECT_FAILURE : AttemptFailure.RESET;
    }

    @Override
    public void discard(Integer response) {
      discarded.add(response);
    }

    @Override
    public Integer deliver(Integer response, Runnable onComplete) {
      this.onComplete = onComplete;
      return response;
    }
  }

  private ClusterRuntime cluster(CircuitBreakerThresholds limits, int endpoints) {
    List<LbEndpoint> list = new ArrayList<>();
    for (int i = 1; i <= endpoints; i++) {
      list.add(new LbEndpoint("127.0.0.1", i, 1, true));
    }
    ClusterResource resource = new ClusterResource("c", "c", Duration.ofSeconds(5), limits, null);
    return ClusterRuntime.build(resource, new EndpointResource("c", List.of(new LocalityEndpoints("l", 0, 0, list))),
        0, null, env);
  }

  private static RoutePolicy route(RetryPolicy retry) {
    return new RoutePolicy(0, 0, -1, retry, false);
  }

  private static RetryPolicy retry(int retryOn, int numRetries, boolean avoidPrevious, int selections) {
    return new RetryPolicy(retryOn, numRetries, 0, 0, RetryBackoff.DEFAULT, new int[0], List.of(), List.of(),
        avoidPrevious, selections);
  }

  private Integer run(ClusterRuntime cluster, RoutePolicy route, boolean replayable, long deadline, Script script)
      throws IOException {
    return loop.execute(cluster, cluster.pick(), route, REQUEST, replayable, deadline, script);
  }

  @Test
  void vector26UnsetNumRetriesMeansOneRetryTwoAttempts() throws IOException {
    ClusterRuntime c = cluster(CircuitBreakerThresholds.DEFAULT, 1);
    Script script = new Script(503, 503, 503);
    assertThat(run(c, route(retry(RetryOn.FIVE_XX, RetryPolicy.DEFAULT_NUM_RETRIES, false, 1)), true,
        Long.MAX_VALUE, script)).isEqualTo(503);
    assertThat(script.sentTo).hasSize(2);
    assertThat(script.discarded).containsExactly(503);
    Script three = new Script(503, 503, 200);
    assertThat(run(c, route(retry(RetryOn.FIVE_XX, 2, false, 1)), true, Long.MAX_VALUE, three)).isEqualTo(200);
    assertThat(three.sentTo).hasSize(3);
  }

  @Test
  void backOffIsSleptOnTheInjectedSleeperAndGrows() throws IOException {
    ClusterRuntime c = cluster(CircuitBreakerThresholds.DEFAULT, 1);
    // random = 10 ms: 10 % 25 = 10 ms, then 10 % 50 = 10 ms; use 30 ms to see the ceiling grow.
    AttemptLoop loop30 = new AttemptLoop(time.environment(() -> 30 * MS));
    Script script = new Script(500, 500, 200);
    loop30.execute(c, c.pick(), route(retry(RetryOn.FIVE_XX, 2, false, 1)), REQUEST, true, Long.MAX_VALUE,
        script);
    assertThat(time.sleeps()).containsExactly(5 * MS, 30 * MS); // 30 % 25, then 30 % 50
  }

  @Test
  void noPolicyMeansOneAttemptAndTheFailureAsIs() {
    ClusterRuntime c = cluster(CircuitBreakerThresholds.DEFAULT, 1);
    ConnectException refused = new ConnectException("refused");
    Script script = new Script(refused);
    assertThatThrownBy(() -> run(c, route(null), true, Long.MAX_VALUE, script)).isSameAs(refused);
    assertThat(c.policy().breaker().attemptsInFlight()).isZero();
  }

  @Test
  void aOneShotBodyIsNotRetriedAndTheFailureSaysSo() {
    ClusterRuntime c = cluster(CircuitBreakerThresholds.DEFAULT, 1);
    ConnectException refused = new ConnectException("refused");
    Script script = new Script(refused);
    assertThatThrownBy(() -> run(c, route(retry(RetryOn.CONNECT_FAILURE, 3, false, 1)), false, Long.MAX_VALUE, script))
        .isSameAs(refused)
        .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
            .containsExactly("not retried: the request body is one-shot and cannot be sent again"));
    assertThat(script.sentTo).hasSize(1);
  }

  @Test
  void theLastFailureCarriesTheEarlierOnes() {
    ClusterRuntime c = cluster(CircuitBreakerThresholds.DEFAULT, 1);
    ConnectException first = new ConnectException("first");
    ConnectException second = new ConnectException("second");
    Script script = new Script(first, second);
    assertThatThrownBy(() -> run(c, route(retry(RetryOn.CONNECT_FAILURE, 1, false, 1)), true, Long.MAX_VALUE, script))
        .isSameAs(second)
        .satisfies(e -> assertThat(e.getSuppressed()).contains(first));
  }

  @Test
  void retriableRequestHeadersGateRetries() throws IOException {
    ClusterRuntime c = cluster(CircuitBreakerThresholds.DEFAULT, 1);
    Predicate<RequestView> absent = r -> r.header("x-absent") != null;
    RetryPolicy gated = new RetryPolicy(RetryOn.FIVE_XX, 2, 0, 0, RetryBackoff.DEFAULT, new int[0], List.of(),
        List.of(absent), false, 1);
    Script script = new Script(503, 200);
    assertThat(run(c, route(gated), true, Long.MAX_VALUE, script)).isEqualTo(503);
    assertThat(script.sentTo).hasSize(1);
  }

  @Test
  void previousHostsAvoidsTriedEndpointsWithinTheSelectionBudget() throws IOException {
    // Weights 20:1 make round robin hand out the heavy endpoint again and again.
    LbEndpoint heavy = new LbEndpoint("127.0.0.1", 1, 20, true);
    LbEndpoint light = new LbEndpoint("127.0.0.1", 2, 1, true);
    ClusterResource resource = new ClusterResource("c", "c");
    EndpointResource assignment =
        new EndpointResource("c", List.of(new LocalityEndpoints("l", 0, 0, List.of(heavy, light))));

    Script without = new Script(503, 200);
    ClusterRuntime plain = ClusterRuntime.build(resource, assignment, 0, null, env);
    loop.execute(plain, heavy, route(retry(RetryOn.FIVE_XX, 1, false, 1)), REQUEST, true, Long.MAX_VALUE,
        without);
    assertThat(without.sentTo).containsExactly(heavy, heavy);

    Script avoiding = new Script(503, 200);
    ClusterRuntime c = ClusterRuntime.build(resource, assignment, 0, null, env);
    loop.execute(c, heavy, route(retry(RetryOn.FIVE_XX, 1, true, 30)), REQUEST, true, Long.MAX_VALUE,
        avoiding);
    assertThat(avoiding.sentTo).containsExactly(heavy, light);

    // One extra selection (the default) is not enough to get past 20 picks of the heavy endpoint.
    Script budget = new Script(503, 200);
    ClusterRuntime small = ClusterRuntime.build(resource, assignment, 0, null, env);
    loop.execute(small, heavy, route(retry(RetryOn.FIVE_XX, 1, true, 1)), REQUEST, true, Long.MAX_VALUE,
        budget);
    assertThat(budget.sentTo).containsExactly(heavy, heavy);
  }

  @Test
  void maxRequestsOverflowFailsFastWithUo() throws IOException {
    ClusterRuntime c = cluster(new CircuitBreakerThresholds(1024, 1024, 1, 3), 1);
    Script held = new Script(200);
    run(c, route(null), true, Long.MAX_VALUE, held); // delivered, body not closed: holds the slot
    assertThat(c.policy().breaker().attemptsInFlight()).isEqualTo(1);
    assertThatThrownBy(() -> run(c, route(null), true, Long.MAX_VALUE, new Script(200)))
        .isInstanceOfSatisfying(MeshRoutingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OVERFLOW));
    held.onComplete.run();
    assertThat(run(c, route(null), true, Long.MAX_VALUE, new Script(200))).isEqualTo(200);
  }

  @Test
  void connectionsPlusPendingBoundTheAttemptsInFlight() throws IOException {
    ClusterRuntime c = cluster(new CircuitBreakerThresholds(1, 1, 1024, 3), 1);
    run(c, route(null), true, Long.MAX_VALUE, new Script(200));
    run(c, route(null), true, Long.MAX_VALUE, new Script(200));
    assertThatThrownBy(() -> run(c, route(null), true, Long.MAX_VALUE, new Script(200)))
        .isInstanceOfSatisfying(MeshRoutingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OVERFLOW));
  }

  @Test
  void maxRetriesZeroReturnsTheRetriableResponseAsIs() throws IOException {
    ClusterRuntime c = cluster(new CircuitBreakerThresholds(1024, 1024, 1024, 0), 1);
    Script script = new Script(503, 200);
    assertThat(run(c, route(retry(RetryOn.FIVE_XX, 3, false, 1)), true, Long.MAX_VALUE, script)).isEqualTo(503);
    assertThat(script.sentTo).hasSize(1);
    assertThat(c.policy().breaker().retriesInProgress()).isZero();
    // Not silent: counted as Envoy's upstream_rq_retry_overflow (the response itself carries nothing, as in Envoy).
    assertThat(c.policy().breaker().retryOverflows()).isEqualTo(1);
    // A response that needs no retry is no overflow.
    run(c, route(retry(RetryOn.FIVE_XX, 3, false, 1)), true, Long.MAX_VALUE, new Script(200));
    assertThat(c.policy().breaker().retryOverflows()).isEqualTo(1);
  }

  @Test
  void aBackOffTheDeadlineWouldCutShortFailsWithUpstreamTimeout() {
    ClusterRuntime c = cluster(CircuitBreakerThresholds.DEFAULT, 1);
    long deadline = time.nanos() + 5 * MS; // the back-off is 10 ms
    Script script = new Script(503, 200);
    assertThatThrownBy(() -> run(c, route(retry(RetryOn.FIVE_XX, 1, false, 1)), true, deadline, script))
        .isInstanceOfSatisfying(MeshRoutingException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UPSTREAM_TIMEOUT));
    assertThat(script.discarded).containsExactly(503);
    assertThat(c.policy().breaker().attemptsInFlight()).isZero();
    assertThat(c.policy().breaker().retriesInProgress()).isZero();
  }

  @Test
  void aTimedOutLastAttemptIsAnUpstreamTimeout() {
    ClusterRuntime c = cluster(CircuitBreakerThresholds.DEFAULT, 1);
    Script script = new Script(new java.net.SocketTimeoutException("timeout")) {
      @Override
      public AttemptFailure classify(IOException failure) {
        return AttemptFailure.TIMEOUT;
      }
    };
    assertThatThrownBy(() -> run(c, route(retry(RetryOn.CONNECT_FAILURE, 1, false, 1)), true, Long.MAX_VALUE, script))
        .isInstanceOfSatisfying(MeshRoutingException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UPSTREAM_TIMEOUT));
  }
}

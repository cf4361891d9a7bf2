package io.mesh4j.runtime.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.model.CircuitBreakerThresholds;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.model.LocalityEndpoints;
import io.mesh4j.runtime.testing.FakeTime;
import io.mesh4j.runtime.view.RequestView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The event-driven attempt sequence, as an asynchronous transport drives it: start an attempt, report its outcome,
 * follow the verdict. (The blocking driver is covered by {@link AttemptLoopTest}.)
 */
class AttemptSequencerTest {
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
      return null;
    }
  };

  private final FakeTime time = new FakeTime();
  // Back-offs are exact: 10 ms % the ceiling.
  private final PolicyEnvironment env = time.environment(() -> 10 * MS);

  private ClusterRuntime cluster(CircuitBreakerThresholds limits, int endpoints) {
    List<LbEndpoint> list = new ArrayList<>();
    for (int i = 1; i <= endpoints; i++) {
      list.add(new LbEndpoint("127.0.0.1", i, 1, true));
    }
    ClusterResource resource = new ClusterResource("c", "c", Duration.ofSeconds(5), limits, null);
    return ClusterRuntime.build(resource, new EndpointResource("c", List.of(new LocalityEndpoints("l", 0, 0, list))),
        0, null, env);
  }

  private static RoutePolicy retrying(int retryOn, int numRetries) {
    return new RoutePolicy(0, 0, -1, new RetryPolicy(retryOn, numRetries, 0, 0, RetryBackoff.DEFAULT, new int[0],
        List.of(), List.of(), true, 5), false);
  }

  private AttemptSequencer sequence(ClusterRuntime c, RoutePolicy route, boolean replayable, long deadline) {
    return new AttemptSequencer(env, c, c.pick(), route, REQUEST, replayable, deadline);
  }

  @Test
  void aRetriableResponseIsRetriedAfterTheBackOffOnAnotherEndpointThenDelivered() throws MeshRoutingException {
    ClusterRuntime c = cluster(CircuitBreakerThresholds.DEFAULT, 2);
    AttemptSequencer s = sequence(c, retrying(RetryOn.FIVE_XX, 1), true, Long.MAX_VALUE);
    LbEndpoint first = s.endpoint();
    assertThat(s.retriesPossible()).isTrue();
    assertThat(s.startAttempt()).isNull();
    assertThat(s.attempt()).isEqualTo(1);
    assertThat(c.policy().breaker().attemptsInFlight()).isEqualTo(1);

    AttemptSequencer.Verdict retry = s.answered(RetryClassifierTest.response(503), 503, false);
    assertThat(retry.kind()).isEqualTo(AttemptSequencer.Kind.RETRY);
    assertThat(retry.backoffNanos()).isEqualTo(10 * MS);
    assertThat(c.policy().breaker().retriesInProgress()).isEqualTo(1); // held until the retry's outcome
    s.attemptEnded();

    LbEndpoint second = s.nextEndpoint();
    assertThat(second).isNotEqualTo(first); // previous_hosts
    assertThat(s.startAttempt()).isNull();
    assertThat(s.attempt()).isEqualTo(2);
    AttemptSequencer.Verdict deliver = s.answered(RetryClassifierTest.response(200), 200, false);
    assertThat(deliver.kind()).isEqualTo(AttemptSequencer.Kind.DELIVER);
    assertThat(deliver.notRetried()).isNull();
    assertThat(c.policy().breaker().retriesInProgress()).isZero();
    s.attemptEnded();
    s.close();
    assertThat(c.policy().breaker().attemptsInFlight()).isZero();
  }

  @Test
  void aCommittedCallDeliversARetriableOutcomeWithoutANote() {
    ClusterRuntime c = cluster(CircuitBreakerThresholds.DEFAULT, 1);
    AttemptSequencer s = sequence(c, retrying(RetryOn.FIVE_XX, 3), true, Long.MAX_VALUE);
    s.startAttempt();
    AttemptSequencer.Verdict verdict = s.failed(AttemptFailure.RESET, true);
    assertThat(verdict.kind()).isEqualTo(AttemptSequencer.Kind.DELIVER);
    assertThat(verdict.notRetried()).isNull();
    assertThat(c.policy().breaker().retriesInProgress()).isZero();
  }

  @Test
  void whyARetriableOutcomeWasNotRetriedIsNamed() {
    ClusterRuntime c = cluster(CircuitBreakerThresholds.DEFAULT, 1);
    AttemptSequencer oneShot = sequence(c, retrying(RetryOn.CONNECT_FAILURE, 3), false, Long.MAX_VALUE);
    oneShot.startAttempt();
    AttemptSequencer.Verdict blocked = oneShot.failed(AttemptFailure.CONNECT_FAILURE, false);
    assertThat(blocked.kind()).isEqualTo(AttemptSequencer.Kind.DELIVER);
    assertThat(blocked.notRetried()).isEqualTo(AttemptSequencer.NotRetried.BLOCKED);
    assertThat(blocked.reason()).isEqualTo("the request body is one-shot and cannot be sent again");
    oneShot.attemptEnded();

    AttemptSequencer noRetries = sequence(c, retrying(RetryOn.FIVE_XX, 0), true, Long.MAX_VALUE);
    assertThat(noRetries.retriesPossible()).isFalse();
    noRetries.startAttempt();
    AttemptSequencer.Verdict exhausted = noRetries.answered(RetryClassifierTest.response(503), 503, false);
    assertThat(exhausted.notRetried()).isEqualTo(AttemptSequencer.NotRetried.EXHAUSTED);
    assertThat(exhausted.reason()).isEqualTo("num_retries (0) exhausted");
    noRetries.attemptEnded();

    ClusterRuntime noRetrySlots = cluster(new CircuitBreakerThresholds(1024, 1024, 1024, 0), 1);
    AttemptSequencer overflow = sequence(noRetrySlots, retrying(RetryOn.FIVE_XX, 3), true, Long.MAX_VALUE);
    overflow.startAttempt();
    AttemptSequencer.Verdict full = overflow.answered(RetryClassifierTest.response(503), 503, false);
    assertThat(full.notRetried()).isEqualTo(AttemptSequencer.NotRetried.RETRY_OVERFLOW);
    assertThat(full.reason()).contains("max_retries (0)");
    assertThat(noRetrySlots.policy().breaker().retryOverflows()).isEqualTo(1);
  }

  @Test
  void aBackOffTheDeadlineWouldCutShortFailsTheCallWithUpstreamTimeout() {
    ClusterRuntime c = cluster(CircuitBreakerThresholds.DEFAULT, 1);
    AttemptSequencer s = sequence(c, retrying(RetryOn.FIVE_XX, 1), true, time.nanos() + 5 * MS);
    s.startAttempt();
    AttemptSequencer.Verdict verdict = s.answered(RetryClassifierTest.response(503), 503, false);
    assertThat(verdict.kind()).isEqualTo(AttemptSequencer.Kind.FAIL);
    assertThat(verdict.failure().reason()).isEqualTo(Reason.UPSTREAM_TIMEOUT);
    s.attemptEnded();
    s.close();
    assertThat(c.policy().breaker().retriesInProgress()).isZero();
    assertThat(c.policy().breaker().attemptsInFlight()).isZero();
  }

  @Test
  void aFullClusterRefusesTheAttemptWithOverflow() {
    ClusterRuntime c = cluster(new CircuitBreakerThresholds(1024, 1024, 1, 3), 1);
    AttemptSequencer holding = sequence(c, retrying(RetryOn.FIVE_XX, 1), true, Long.MAX_VALUE);
    assertThat(holding.startAttempt()).isNull();
    AttemptSequencer refused = sequence(c, retrying(RetryOn.FIVE_XX, 1), true, Long.MAX_VALUE);
    assertThat(refused.startAttempt()).satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.OVERFLOW));
    holding.attemptEnded();
    assertThat(refused.startAttempt()).isNull();
  }
}

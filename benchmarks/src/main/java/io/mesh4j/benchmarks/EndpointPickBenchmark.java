package io.mesh4j.benchmarks;

import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.cluster.EndpointLease;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.model.LbPolicy;
import io.mesh4j.runtime.model.LoadBalancerConfig;
import io.mesh4j.runtime.model.LocalityEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Picking an endpoint for one attempt: round robin with equal and unequal weights (no lease), and each load-balancing
 * policy through the engine's path (acquire a lease, release it), ring hash and maglev with a per-call hash.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EndpointPickBenchmark {

  @Param({"50"})
  int endpoints;

  ClusterRuntime equalWeights;
  ClusterRuntime unequalWeights;
  ClusterRuntime leastRequest;
  ClusterRuntime weightedLeastRequest;
  ClusterRuntime random;
  ClusterRuntime ringHash;
  ClusterRuntime maglev;
  long hash;

  @Setup
  public void setUp() {
    equalWeights = cluster(false);
    unequalWeights = cluster(true);
    leastRequest = cluster(false, new LbPolicy.LeastRequest(2, 1.0));
    weightedLeastRequest = cluster(true, new LbPolicy.LeastRequest(2, 1.0));
    random = cluster(false, new LbPolicy.Random());
    ringHash = cluster(false, new LbPolicy.RingHash(1024, 8 * 1024 * 1024));
    maglev = cluster(false, new LbPolicy.Maglev(65537));
  }

  private ClusterRuntime cluster(boolean weighted) {
    return cluster(weighted, new LbPolicy.RoundRobin());
  }

  private ClusterRuntime cluster(boolean weighted, LbPolicy policy) {
    List<LbEndpoint> list = new ArrayList<>();
    for (int i = 0; i < endpoints; i++) {
      list.add(new LbEndpoint("10.0.0." + i, 8080, weighted ? 1 + i % 7 : 1, true));
    }
    EndpointResource assignment = new EndpointResource("bench", List.of(new LocalityEndpoints("r/z/", 0, 0, list)));
    ClusterResource cluster = new ClusterResource("bench", "bench", ClusterResource.DEFAULT_CONNECT_TIMEOUT,
        new LoadBalancerConfig(policy, LoadBalancerConfig.DEFAULT_HEALTHY_PANIC_THRESHOLD, false));
    return ClusterRuntime.build(cluster, assignment, 0);
  }

  @Benchmark
  public LbEndpoint roundRobin() {
    return equalWeights.pick();
  }

  @Benchmark
  public LbEndpoint weightedRoundRobin() {
    return unequalWeights.pick();
  }

  private static LbEndpoint leased(ClusterRuntime cluster, boolean hashed, long hash) {
    EndpointLease lease = cluster.acquire(hashed, hash);
    lease.release();
    return lease.endpoint();
  }

  @Benchmark
  public LbEndpoint roundRobinLeased() {
    return leased(equalWeights, false, 0);
  }

  @Benchmark
  public LbEndpoint leastRequest() {
    return leased(leastRequest, false, 0);
  }

  @Benchmark
  public LbEndpoint weightedLeastRequest() {
    return leased(weightedLeastRequest, false, 0);
  }

  @Benchmark
  public LbEndpoint random() {
    return leased(random, false, 0);
  }

  @Benchmark
  public LbEndpoint ringHash() {
    hash += 0x9E3779B97F4A7C15L;
    return leased(ringHash, true, hash);
  }

  @Benchmark
  public LbEndpoint maglev() {
    hash += 0x9E3779B97F4A7C15L;
    return leased(maglev, true, hash);
  }
}

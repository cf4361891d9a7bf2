package io.mesh4j.benchmarks;

import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.xds.resource.ClusterResource;
import io.mesh4j.runtime.xds.resource.EndpointResource;
import io.mesh4j.runtime.xds.resource.LbEndpoint;
import io.mesh4j.runtime.xds.resource.LocalityEndpoints;
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

/** Picking an endpoint for one attempt, with equal and with unequal endpoint weights. */
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

  @Setup
  public void setUp() {
    equalWeights = cluster(false);
    unequalWeights = cluster(true);
  }

  private ClusterRuntime cluster(boolean weighted) {
    List<LbEndpoint> list = new ArrayList<>();
    for (int i = 0; i < endpoints; i++) {
      list.add(new LbEndpoint("10.0.0." + i, 8080, weighted ? 1 + i % 7 : 1, true));
    }
    EndpointResource assignment = new EndpointResource("bench", List.of(new LocalityEndpoints("r/z/", 0, 0, list)));
    return ClusterRuntime.build(new ClusterResource("bench", "bench"), assignment, 0);
  }

  @Benchmark
  public LbEndpoint roundRobin() {
    return equalWeights.pick();
  }

  @Benchmark
  public LbEndpoint weightedRoundRobin() {
    return unequalWeights.pick();
  }
}

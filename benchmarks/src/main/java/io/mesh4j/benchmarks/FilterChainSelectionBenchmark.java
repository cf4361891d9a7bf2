package io.mesh4j.benchmarks;

import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.listener.CidrRange;
import io.mesh4j.runtime.listener.FilterChainMatch;
import io.mesh4j.runtime.listener.FilterChainSelector;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A server listener's chain selection for one new connection: istiod's PERMISSIVE listener (mTLS by {@code tls} and
 * Istio's ALPN, other TLS, plaintext) beside 16 chains by source prefix. Run with {@code -prof gc} to see the bytes
 * allocated per selection.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FilterChainSelectionBenchmark {
  FilterChainSelector<String> selector;
  ConnectionFacts mtls;
  ConnectionFacts plaintext;

  @Setup
  public void setUp() throws Exception {
    List<FilterChainMatch> matches = new ArrayList<>();
    List<String> chains = new ArrayList<>();
    add(matches, chains, "mtls", new FilterChainMatch(0, List.of(), List.of(), "tls",
        List.of("istio-peer-exchange", "istio"), List.of(), FilterChainMatch.SourceType.ANY, List.of(), List.of()));
    add(matches, chains, "tls", new FilterChainMatch(0, List.of(), List.of(), "tls", List.of(), List.of(),
        FilterChainMatch.SourceType.ANY, List.of(), List.of()));
    add(matches, chains, "plaintext", new FilterChainMatch(0, List.of(), List.of(), "raw_buffer", List.of(),
        List.of(), FilterChainMatch.SourceType.ANY, List.of(), List.of()));
    for (int i = 0; i < 16; i++) {
      add(matches, chains, "from-" + i, new FilterChainMatch(0, List.of(), List.of(), "raw_buffer", List.of(),
          List.of(), FilterChainMatch.SourceType.ANY,
          List.of(CidrRange.of(InetAddress.getByName("10." + i + ".0.0"), 16)), List.of()));
    }
    selector = FilterChainSelector.of(matches, chains, null);
    InetSocketAddress local = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 8080);
    InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName("10.9.9.9"), 40000);
    mtls = new ConnectionFacts(local, remote, ConnectionFacts.TLS, "outbound_.8080_._.catalog.shop.svc.cluster.local",
        List.of("istio-peer-exchange", "istio", "h2"));
    plaintext = new ConnectionFacts(local, remote, ConnectionFacts.RAW_BUFFER, null, List.of());
    if (!"mtls".equals(selector.select(mtls)) || !"from-9".equals(selector.select(plaintext))) {
      throw new IllegalStateException("benchmark connections select the wrong chains");
    }
  }

  private static void add(List<FilterChainMatch> matches, List<String> chains, String name, FilterChainMatch match) {
    matches.add(match);
    chains.add(name);
  }

  @Benchmark
  public String mtlsConnection() {
    return selector.select(mtls);
  }

  @Benchmark
  public String plaintextConnectionBySourcePrefix() {
    return selector.select(plaintext);
  }
}

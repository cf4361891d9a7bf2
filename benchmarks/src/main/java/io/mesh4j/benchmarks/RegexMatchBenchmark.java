package io.mesh4j.benchmarks;

import com.google.re2j.Pattern;
import io.mesh4j.runtime.matcher.FullMatchRegex;
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
 * One whole-string regex match, RE2J's {@code Pattern.matches} against the mesh's {@link FullMatchRegex} (a DFA for
 * these patterns), in the same run: a route path regex, an Istio SAN regex on a SPIFFE ID, a host suffix regex.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RegexMatchBenchmark {

  @Param({"route", "san", "host"})
  String shape;

  Pattern re2j;
  FullMatchRegex regex;
  String input;

  @Setup
  public void setUp() {
    String pattern;
    switch (shape) {
      case "route" -> {
        pattern = "/admin/[a-z]+/[0-9]+";
        input = "/admin/users/42";
      }
      case "san" -> {
        pattern = "spiffe://cluster\\.local/ns/[^/]+/sa/.*";
        input = "spiffe://cluster.local/ns/payments/sa/checkout-service";
      }
      default -> {
        pattern = ".*\\.svc\\.cluster\\.local";
        input = "reviews-v2.bookinfo.svc.cluster.local";
      }
    }
    re2j = Pattern.compile(pattern);
    regex = FullMatchRegex.of(re2j);
    if (!re2j.matches(input) || !regex.matches(input)) {
      throw new IllegalStateException(pattern + " does not match " + input);
    }
  }

  @Benchmark
  public boolean re2j() {
    return re2j.matches(input);
  }

  @Benchmark
  public boolean dfa() {
    return regex.matches(input);
  }
}

package io.mesh4j.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH suite with the GC profiler, the end-to-end OkHttp and gRPC load benchmarks, the mTLS benchmarks and
 * the scale benchmark, and writes them into one markdown report, with the reliability figures the tests wrote when
 * {@code run.sh} ran them at full counts ({@link ReliabilitySection}). Arguments:
 * {@code [report.md] [load seconds per phase] [scale churn cycles, default 100000] [reliability figures .md]}.
 */
public final class BenchmarkReport {

  public static void main(String[] args) throws Exception {
    Path report = Path.of(args.length > 0 ? args[0] : "benchmarks/REPORT.md");
    String loadSeconds = args.length > 1 ? args[1] : "5";
    String churnCycles = args.length > 2 ? args[2] : "100000";
    Path reliabilityFigures = args.length > 3 ? Path.of(args[3]) : null;

    Options options = new OptionsBuilder()
        .include(RouteSelectionBenchmark.class.getSimpleName())
        .include(RegexMatchBenchmark.class.getSimpleName())
        .include(EndpointPickBenchmark.class.getSimpleName())
        .include(RetryDecisionBenchmark.class.getSimpleName())
        .include(RbacBenchmark.class.getSimpleName())
        .include(JwtBenchmark.class.getSimpleName())
        .include(FilterChainSelectionBenchmark.class.getSimpleName())
        .addProfiler(GCProfiler.class)
        .build();
    Collection<RunResult> results = new Runner(options).run();

    Path loadReport = Files.createTempFile("mesh4j-load", ".md");
    // 8 client threads as well: more callers than cores, where a shared lock on the request path would show.
    LoadBenchmark.main(new String[] {loadReport.toString(), "4,8", loadSeconds, "4"});
    // Four clients: two 2 s warm-ups each, then 4 rounds of one phase each.
    Path grpcReport = Files.createTempFile("mesh4j-grpc", ".md");
    GrpcLoadBenchmark.main(new String[] {grpcReport.toString(), "4", loadSeconds, "4"});
    // About 30 s: four 2 s warm-ups, then 2 rounds of four 3 s phases.
    Path tlsReport = Files.createTempFile("mesh4j-tls", ".md");
    TlsLoadBenchmark.main(new String[] {tlsReport.toString(), "3", "2", "2"});
    // The server side of mTLS: about 30 s as well.
    Path serverTlsReport = Files.createTempFile("mesh4j-server-tls", ".md");
    ServerTlsBenchmark.main(new String[] {serverTlsReport.toString(), "3", "2", "2"});

    // 10,000 clusters pushed at once, then the endpoint churn cycles (100,000 by default: most of its run time).
    Path scaleReport = Files.createTempFile("mesh4j-scale", ".md");
    ScaleBenchmark.main(new String[] {scaleReport.toString(), "1000", churnCycles, "delta"});

    StringBuilder md = new StringBuilder();
    md.append("# mesh4j benchmark report\n\n");
    md.append("Written by `benchmarks/run.sh` (").append(Runtime.getRuntime().availableProcessors())
        .append(" cores, ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.version")).append("). Figures are from one run on this machine; compare ")
        .append("ratios, not absolute numbers, across machines.\n\n");
    md.append("### JMH: per-request engine costs\n\n");
    md.append("| benchmark | params | ns/op | ± (99.9%) | bytes allocated/op |\n|---|---|---:|---:|---:|\n");
    for (RunResult run : results) {
      Result<?> primary = run.getPrimaryResult();
      Map<String, Result> secondary = run.getSecondaryResults();
      Result<?> alloc = secondary.containsKey("gc.alloc.rate.norm")
          ? secondary.get("gc.alloc.rate.norm") : secondary.get("·gc.alloc.rate.norm");
      String name = run.getParams().getBenchmark();
      md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %s |%n",
          name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1),
          params(run), primary.getScore(), primary.getScoreError(),
          alloc == null ? "n/a" : String.format(Locale.ROOT, "%.1f", alloc.getScore())));
    }
    md.append('\n').append(Files.readString(loadReport));
    md.append('\n').append(Files.readString(grpcReport));
    md.append('\n').append(Files.readString(tlsReport));
    md.append('\n').append(Files.readString(serverTlsReport));
    md.append('\n').append(Files.readString(scaleReport));
    if (reliabilityFigures != null) {
      String reliability = ReliabilitySection.render(reliabilityFigures);
      if (!reliability.isEmpty()) {
        md.append('\n').append(reliability);
      }
    }
    Files.writeString(report, md.toString());
    System.out.println(md);
  }

  private static String params(RunResult run) {
    StringBuilder p = new StringBuilder();
    for (String key : run.getParams().getParamsKeys()) {
      if (p.length() > 0) {
        p.append(", ");
      }
      p.append(key).append('=').append(run.getParams().getParam(key));
    }
    return p.toString();
  }
}

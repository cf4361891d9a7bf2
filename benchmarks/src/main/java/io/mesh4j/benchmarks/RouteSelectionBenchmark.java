package io.mesh4j.benchmarks;

import io.mesh4j.runtime.view.InMemoryRequest;
import io.mesh4j.runtime.route.Route;
import io.mesh4j.runtime.route.RouteTable;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.route.RouteConfigurationType;
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
 * Route selection on a realistic table: 200 virtual hosts of 20 routes, each route with a header matcher. Run with
 * {@code -prof gc} to see the bytes allocated per selection.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteSelectionBenchmark {

  @Param({"200"})
  int virtualHosts;

  @Param({"20"})
  int routesPerHost;

  RouteTable table;
  InMemoryRequest headerRoute;
  InMemoryRequest defaultRoute;
  InMemoryRequest regexRoute;
  InMemoryRequest wildcardMiss;

  @Setup
  public void setUp() throws Exception {
    table = RouteConfigurationType.decodeRouteConfiguration(
        RealisticRouteConfiguration.build(virtualHosts, routesPerHost), DecodeContext.discarding());
    int service = virtualHosts * 2 / 3;
    int branch = routesPerHost - 3;
    String authority = RealisticRouteConfiguration.host(service) + ":8080";
    // Matches the last header route: every earlier route of the host is evaluated and fails first.
    headerRoute = InMemoryRequest.get(authority, "/api/v" + branch + "/items?page=2")
        .header("x-feature", "branch-" + branch).header("user-agent", "okhttp/5.5.1").header("accept", "application/json");
    defaultRoute = InMemoryRequest.get(authority, "/items/42")
        .header("user-agent", "okhttp/5.5.1").header("accept", "application/json");
    regexRoute = InMemoryRequest.get(authority, "/admin/users/42").header("user-agent", "okhttp/5.5.1");
    wildcardMiss = InMemoryRequest.get("unknown.example.com", "/").header("user-agent", "okhttp/5.5.1");
    for (InMemoryRequest request : new InMemoryRequest[] {headerRoute, defaultRoute, regexRoute}) {
      if (table.select(request) == null) {
        throw new IllegalStateException("benchmark request does not route: " + request.path());
      }
    }
  }

  @Benchmark
  public Route lastHeaderRoute() {
    return table.select(headerRoute);
  }

  @Benchmark
  public Route defaultRouteAfterHeaderRoutes() {
    return table.select(defaultRoute);
  }

  @Benchmark
  public Route regexRoute() {
    return table.select(regexRoute);
  }

  @Benchmark
  public Route noVirtualHost() {
    return table.select(wildcardMiss);
  }
}

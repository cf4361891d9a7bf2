package io.mesh4j.runtime.cluster;

import io.mesh4j.runtime.xds.BackoffPolicy;
import io.mesh4j.runtime.xds.ExponentialBackoffPolicy;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What load balancing needs from outside, injected so tests control it: a random source (one draw per pick), the
 * scheduler that runs connectivity probes, the connector they use and their backoff.
 *
 * @param random draws a uniformly random 64-bit value
 * @param scheduler runs connectivity probes (a probe blocks for at most the cluster's connect timeout)
 * @param connector opens the probe connections
 * @param probeBackoff a fresh backoff per run of failed probes; gRPC's connection backoff by default
 */
public record LbEnvironment(
    LongSupplier random, ProbeScheduler scheduler, Connector connector,
    Supplier<BackoffPolicy> probeBackoff) {

  public LbEnvironment {
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(connector, "connector");
    Objects.requireNonNull(probeBackoff, "probeBackoff");
  }

  /** Real randomness, TCP probes with gRPC's connection backoff, on the given scheduler. */
  public static LbEnvironment withScheduler(ScheduledExecutorService scheduler) {
    ProbeScheduler probes = (probe, delayNanos) -> {
      try {
        scheduler.schedule(probe, delayNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // Shut down with the mesh: probes stop.
      }
    };
    return new LbEnvironment(() -> ThreadLocalRandom.current().nextLong(), probes, Connector.TCP,
        ExponentialBackoffPolicy.grpcDefaults(new Random()));
  }

  /**
   * For code that builds clusters without a runtime (tools, benchmarks, tests): probes run on one shared daemon
   * thread created on first use.
   */
  public static LbEnvironment shared() {
    return Shared.INSTANCE;
  }

  private static final class Shared {
    static final LbEnvironment INSTANCE = withScheduler(Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "mesh4j-lb-probe");
      thread.setDaemon(true);
      return thread;
    }));
  }
}

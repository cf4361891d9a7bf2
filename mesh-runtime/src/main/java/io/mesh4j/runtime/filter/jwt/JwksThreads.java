package io.mesh4j.runtime.filter.jwt;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that fetch and refresh remote JWKS, shared by every source in the process: request threads never fetch
 * (after a source's first fetch), so a slow or absent JWKS server holds these and nothing else. Daemon threads,
 * created on first use.
 */
final class JwksThreads {
  private static final AtomicInteger COUNT = new AtomicInteger();

  static final ScheduledThreadPoolExecutor EXECUTOR = create();

  private JwksThreads() {}

  private static ScheduledThreadPoolExecutor create() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(2, runnable -> {
      Thread thread = new Thread(runnable, "mesh4j-jwks-" + COUNT.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    // A source that is no longer referenced cancels its refresh task; do not keep cancelled tasks queued.
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }
}

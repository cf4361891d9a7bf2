package io.mesh4j.runtime.config;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread the config assembler's work runs on: starting and cancelling xDS watches, reconciling, publishing
 * snapshots and completing first-config waiters. Tasks run one at a time in submission order, and {@link #execute}
 * only queues: a caller (a request thread, the xDS client's context) never runs assembler work itself, so nothing
 * re-enters the assembler from inside a caller's own critical section.
 *
 * <p>A task that throws is logged and the thread carries on with the next one (the last snapshot keeps serving).
 * Tasks submitted after {@link #close} are dropped: the assembler is gone.
 */
final class AssemblyThread implements Executor, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AssemblyThread.class);

  private final ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.NANOSECONDS,
      new LinkedBlockingQueue<>(), runnable -> {
        Thread t = new Thread(runnable, "mesh4j-config");
        t.setDaemon(true);
        return t;
      }, new ThreadPoolExecutor.DiscardPolicy());

  @Override
  public void execute(Runnable task) {
    thread.execute(() -> {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        log.error("mesh config assembly failed; the last config keeps serving", e);
      }
    });
  }

  /** Runs what is already queued, then lets the thread end. */
  @Override
  public void close() {
    thread.shutdown();
  }
}

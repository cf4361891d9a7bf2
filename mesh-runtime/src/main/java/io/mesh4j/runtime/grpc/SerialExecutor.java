package io.mesh4j.runtime.grpc;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor: a routed call's attempt callbacks, timers
 * and back-off all run through one, so its listener is called serially (the {@code ClientCall.Listener} contract)
 * on the call's executor, whichever attempt or timer the event came from.
 *
 * <p>One exists per routed call and most calls see a handful of events, one at a time: the executor is its own drain
 * task (no task object per hand-off to the delegate), and a lone waiting task sits in a field, the queue being made
 * only when tasks actually pile up.
 */
final class SerialExecutor implements Executor, Runnable {
  private final Executor delegate;
  // Guarded by this.
  /** The oldest waiting task, if any; the rest (younger) wait in {@link #more}. */
  private Runnable next;
  private ArrayDeque<Runnable> more;
  private boolean running;

  SerialExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      if (next == null) {
        next = task;
      } else {
        if (more == null) {
          more = new ArrayDeque<>(4);
        }
        more.add(task);
      }
      if (running) {
        return;
      }
      running = true;
    }
    delegate.execute(this);
  }

  /** The drain: runs waiting tasks until none is left. Only ever run by the delegate, on this executor's behalf. */
  @Override
  public void run() {
    while (true) {
      Runnable task;
      synchronized (this) {
        task = next;
        if (task == null) {
          running = false;
          return;
        }
        next = more == null ? null : more.poll();
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        // One failing callback must not wedge the queue; the thread's handler reports it.
        Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
      }
    }
  }
}

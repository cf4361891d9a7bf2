package io.mesh4j.runtime.okhttp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The mesh dispatcher's executor: the application's own executor, with each task (an {@code enqueue}d call, run
 * from start to callback) marked as one asynchronous call for the interceptor, which can then hold what that call
 * uses (a dispatcher limit slot for a host outside the mesh) until the call's callback has returned, exactly as
 * OkHttp's dispatcher holds it.
 */
final class AsyncCallExecutor extends AbstractExecutorService {
  private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

  private final ExecutorService delegate;

  AsyncCallExecutor(ExecutorService delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /**
   * The asynchronous call running on this thread, the first time the mesh's interceptor asks; {@code null} for a
   * synchronous call (also one the callback of an asynchronous call makes).
   */
  static Scope claimCurrent() {
    Scope scope = CURRENT.get();
    if (scope == null || scope.claimed) {
      return null;
    }
    scope.claimed = true;
    return scope;
  }

  @Override
  public void execute(Runnable call) {
    delegate.execute(() -> {
      Scope scope = new Scope();
      CURRENT.set(scope);
      try {
        call.run();
      } finally {
        CURRENT.remove();
        scope.end();
      }
    });
  }

  /** One asynchronous call, from the dispatcher starting it to its callback returning. Confined to its thread. */
  static final class Scope {
    private boolean claimed;
    private List<Runnable> atEnd;

    /** Runs {@code task} once the call's callback has returned (or the call failed). */
    void atEnd(Runnable task) {
      if (atEnd == null) {
        atEnd = new ArrayList<>(1);
      }
      atEnd.add(task);
    }

    private void end() {
      if (atEnd != null) {
        atEnd.forEach(Runnable::run);
      }
    }
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    return delegate.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return delegate.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return delegate.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return delegate.awaitTermination(timeout, unit);
  }
}

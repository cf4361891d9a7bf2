package io.mesh4j.runtime.okhttp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import okhttp3.Call;
import okhttp3.Dispatcher;

/**
 * OkHttp's dispatcher limits ({@code maxRequests}, {@code maxRequestsPerHost}) for the asynchronous calls the mesh
 * does not route. The mesh's dispatcher lifts them for every call, since a mesh host stands for a whole cluster whose
 * circuit breakers limit it; here they are applied again, read live from the application's own dispatcher, to the
 * calls that go to hosts outside the mesh, so those behave as before. A call over a limit waits (holding its thread,
 * which OkHttp's queue does not) until a slot frees or the call is cancelled.
 */
final class DirectCallLimits {
  private static final long CANCEL_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final Dispatcher limits;
  private final ReentrantLock lock = new ReentrantLock(true);
  private final Condition freed = lock.newCondition();
  private final Map<String, Integer> perHost = new HashMap<>();
  private int total;
  private int waiting;

  /** @param limits the application's dispatcher, whose limits apply */
  DirectCallLimits(Dispatcher limits) {
    this.limits = limits;
  }

  /** Takes a slot for a call to {@code host}, waiting while either limit is reached. */
  void acquire(String host, Call call) throws IOException {
    lock.lock();
    try {
      waiting++;
      try {
        while (total >= limits.getMaxRequests() || perHost.getOrDefault(host, 0) >= limits.getMaxRequestsPerHost()) {
          if (call.isCanceled()) {
            throw new IOException("Canceled");
          }
          try {
            freed.awaitNanos(CANCEL_CHECK_NANOS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a dispatcher slot for " + host);
          }
        }
      } finally {
        waiting--;
      }
      total++;
      perHost.merge(host, 1, Integer::sum);
    } finally {
      lock.unlock();
    }
  }

  void release(String host) {
    lock.lock();
    try {
      total--;
      perHost.computeIfPresent(host, (h, n) -> n == 1 ? null : n - 1);
      freed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Calls waiting for a slot, for tests. */
  int waiting() {
    lock.lock();
    try {
      return waiting;
    } finally {
      lock.unlock();
    }
  }

  /** Calls holding a slot, for tests. */
  int inFlight() {
    lock.lock();
    try {
      return total;
    } finally {
      lock.unlock();
    }
  }
}

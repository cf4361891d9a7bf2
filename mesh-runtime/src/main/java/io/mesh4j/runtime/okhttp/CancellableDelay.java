package io.mesh4j.runtime.okhttp;

import io.mesh4j.runtime.policy.Sleeper;
import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;

/**
 * Waits out an injected fault delay for one OkHttp call, ending early when the call is cancelled: by the
 * application, or by OkHttp itself when the call's {@code callTimeout} expires (OkHttp's call timeout cancels the
 * call). OkHttp then fails the call as it fails any cancelled or timed-out call: {@code InterruptedIOException}
 * "timeout" after a call timeout, "Canceled" otherwise. The route timeout stays the engine's business.
 *
 * <p>An interceptor must answer on its thread, so the wait holds the calling thread (a dispatcher thread for
 * {@code enqueue}); it is the mesh's dispatcher settings that keep a delayed call from holding up other calls (see
 * {@code MeshRuntime.okHttp}). OkHttp has no cancel callback for an interceptor to wait on, so the call is checked
 * between slices of the wait.
 */
final class CancellableDelay implements Sleeper {
  /** How soon a cancel ends the wait at the latest. */
  static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final Call call;
  private final Sleeper sleeper;

  CancellableDelay(Call call, Sleeper sleeper) {
    this.call = call;
    this.sleeper = sleeper;
  }

  @Override
  public void sleep(long nanos) throws InterruptedIOException {
    // Counted down by the slices, not read from a clock, so that a fake sleeper drives it as it drives back-offs.
    long remaining = nanos;
    while (remaining > 0) {
      checkNotCanceled();
      long slice = Math.min(remaining, SLICE_NANOS);
      sleeper.sleep(slice);
      remaining -= slice;
    }
    checkNotCanceled();
  }

  private void checkNotCanceled() throws InterruptedIOException {
    if (call.isCanceled()) {
      throw new InterruptedIOException("Canceled");
    }
  }
}

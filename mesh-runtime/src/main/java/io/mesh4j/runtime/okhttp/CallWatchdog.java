package io.mesh4j.runtime.okhttp;

import io.mesh4j.runtime.policy.Scheduler;
import okhttp3.Call;

/**
 * Cancels an OkHttp call when the route's timeout (or max stream duration) expires: before the headers, between
 * attempts, or while the body streams. OkHttp's own {@code Call.timeout()} is fixed when the call starts, before the
 * route is known, hence this.
 */
final class CallWatchdog implements Runnable {
  private final Call call;
  private final Scheduler.Cancellable timer;
  private volatile boolean disarmed;
  private volatile boolean fired;

  private CallWatchdog(Call call, Scheduler scheduler, long timeoutNanos) {
    this.call = call;
    this.timer = scheduler.schedule(this, timeoutNanos);
  }

  static CallWatchdog arm(Call call, Scheduler scheduler, long timeoutNanos) {
    return new CallWatchdog(call, scheduler, timeoutNanos);
  }

  @Override
  public void run() {
    if (!disarmed) {
      fired = true;
      call.cancel();
    }
  }

  /** The call completed (or failed for another reason): the deadline no longer matters. */
  void disarm() {
    disarmed = true;
    timer.cancel();
  }

  /** Whether the deadline cancelled the call. */
  boolean fired() {
    return fired;
  }
}

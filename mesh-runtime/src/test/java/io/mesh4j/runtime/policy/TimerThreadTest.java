package io.mesh4j.runtime.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TimerThreadTest {
  private final TimerThread scheduler = new TimerThread("timer-test");

  @Test
  void runsATaskNoEarlierThanItsDelay() throws Exception {
    long delay = TimeUnit.MILLISECONDS.toNanos(30);
    AtomicLong ranAt = new AtomicLong();
    CountDownLatch ran = new CountDownLatch(1);
    long scheduledAt = System.nanoTime();
    scheduler.schedule(() -> {
      ranAt.set(System.nanoTime());
      ran.countDown();
    }, delay);

    assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(ranAt.get() - scheduledAt).isGreaterThanOrEqualTo(delay);
  }

  @Test
  void aCancelledTaskDoesNotRunWhileALaterOneDoes() throws Exception {
    AtomicBoolean cancelledRan = new AtomicBoolean();
    long delay = TimeUnit.MILLISECONDS.toNanos(50);
    long armedAt = System.nanoTime();
    scheduler.schedule(() -> cancelledRan.set(true), delay).cancel();
    // A busy machine may deschedule this thread past the deadline before it cancels; then running was right.
    boolean cancelledInTime = System.nanoTime() - armedAt < delay;
    CountDownLatch laterRan = new CountDownLatch(1);
    scheduler.schedule(laterRan::countDown, 2 * delay);

    // Timers fire in deadline order, so once the later task has run, the cancelled one had its turn.
    assertThat(laterRan.await(30, TimeUnit.SECONDS)).isTrue();
    if (cancelledInTime) {
      assertThat(cancelledRan).isFalse();
    }
  }

  @Test
  void aTaskDueNowOrInThePastRunsOnTheNextTick() throws Exception {
    CountDownLatch ran = new CountDownLatch(2);
    scheduler.schedule(ran::countDown, 0);
    scheduler.schedule(ran::countDown, -1_000_000);

    assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void tasksScheduledFromManyThreadsAllRunAndCancelledOnesDoNot() throws Exception {
    int threads = 8;
    int perThread = 2_000;
    AtomicInteger ran = new AtomicInteger();
    AtomicInteger cancelledRan = new AtomicInteger();
    AtomicInteger cancelledLate = new AtomicInteger();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> callers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread caller = new Thread(() -> {
        try {
          for (int i = 0; i < perThread; i++) {
            scheduler.schedule(ran::incrementAndGet, TimeUnit.MILLISECONDS.toNanos(i % 20));
            // A deadline disarmed at once, as most request timers are.
            long delay = TimeUnit.MILLISECONDS.toNanos(5 + i % 20);
            long armedAt = System.nanoTime();
            scheduler.schedule(cancelledRan::incrementAndGet, delay).cancel();
            // Descheduled past the deadline before cancelling (a busy machine): then the task may rightly run.
            if (System.nanoTime() - armedAt >= delay) {
              cancelledLate.incrementAndGet();
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      callers.add(caller);
      caller.start();
    }
    for (Thread caller : callers) {
      caller.join();
    }
    CountDownLatch last = new CountDownLatch(1);
    scheduler.schedule(last::countDown, TimeUnit.MILLISECONDS.toNanos(40));

    await().atMost(Duration.ofSeconds(30)).until(() -> ran.get() == threads * perThread);
    assertThat(last.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(failures).isEmpty();
    assertThat(cancelledRan.get()).isLessThanOrEqualTo(cancelledLate.get());
  }

  @Test
  void aTimerDueBeforeTheOnesPendingWakesTheThread() throws Exception {
    scheduler.schedule(() -> {}, TimeUnit.HOURS.toNanos(1));
    CountDownLatch ran = new CountDownLatch(1);
    long scheduledAt = System.nanoTime();
    scheduler.schedule(ran::countDown, TimeUnit.MILLISECONDS.toNanos(20));

    assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(System.nanoTime() - scheduledAt).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
  }

  @Test
  void anIdleThreadWakesForEachNewTimer() throws Exception {
    for (int i = 0; i < 200; i++) {
      CountDownLatch ran = new CountDownLatch(1);
      scheduler.schedule(ran::countDown, i % 3 == 0 ? 0 : TimeUnit.MICROSECONDS.toNanos(i));
      assertThat(ran.await(30, TimeUnit.SECONDS)).as("timer %d", i).isTrue();
    }
  }

  @Test
  void cancelledTimersDoNotPileUpUntilTheirDeadline() {
    int n = 100_000;
    List<Scheduler.Cancellable> timers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      timers.add(scheduler.schedule(() -> {}, TimeUnit.HOURS.toNanos(1) + i));
    }
    // All armed and taken in by the timer thread, then disarmed, as request deadlines are when calls end.
    await().atMost(Duration.ofSeconds(30)).until(() -> scheduler.pendingCount() == n);
    timers.forEach(Scheduler.Cancellable::cancel);

    // They go once they are most of what is pending, not when their hour is up.
    await().atMost(Duration.ofSeconds(30)).until(() -> scheduler.pendingCount() == 0);
  }

  @Test
  void timersCancelledAsSoonAsArmedLeaveNothingPending() {
    for (int i = 0; i < 10_000; i++) {
      scheduler.schedule(() -> {}, TimeUnit.HOURS.toNanos(1)).cancel();
    }
    CountDownLatch ran = new CountDownLatch(1);
    scheduler.schedule(ran::countDown, 0);

    await().atMost(Duration.ofSeconds(30)).until(() -> ran.getCount() == 0 && scheduler.pendingCount() <= 64);
  }

  @Test
  void aFailingTaskDoesNotStopTheThread() throws Exception {
    scheduler.schedule(() -> {
      throw new IllegalStateException("boom");
    }, 0);
    CountDownLatch ran = new CountDownLatch(1);
    scheduler.schedule(ran::countDown, TimeUnit.MILLISECONDS.toNanos(5));

    assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
  }
}

package io.mesh4j.runtime.policy;

import java.io.InterruptedIOException;

/** Waits: the retry back-off and injected fault delays; injected so that tests do not sleep. */
@FunctionalInterface
public interface Sleeper {
  void sleep(long nanos) throws InterruptedIOException;

  /** The real one: {@link Thread#sleep}, an interrupt becoming an {@link InterruptedIOException}. */
  Sleeper THREAD = nanos -> {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted = new InterruptedIOException("interrupted while waiting (retry back-off or fault delay)");
      interrupted.initCause(e);
      throw interrupted;
    }
  };
}

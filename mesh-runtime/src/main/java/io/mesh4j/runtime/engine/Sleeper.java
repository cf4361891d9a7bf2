package io.mesh4j.runtime.engine;

/** Waits, for injected fault delays; tests substitute one that records instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
  Sleeper SYSTEM = nanos -> java.util.concurrent.TimeUnit.NANOSECONDS.sleep(nanos);

  void sleep(long nanos) throws InterruptedException;
}

package io.mesh4j.runtime.config;

import io.mesh4j.runtime.xds.ResourceWatcher;
import java.util.concurrent.Executor;

/**
 * One subscription of the assembler and what it last heard. Callbacks hop onto the assembler's serial executor,
 * where the state is read; every change asks the assembler to reconcile. Errors change nothing, since the last good
 * value keeps serving.
 */
final class Watched<T> implements ResourceWatcher<T> {
  enum State {
    PENDING,
    PRESENT,
    ABSENT
  }

  private final String name;
  private final Executor serial;
  private final Runnable onUpdate;
  private State state = State.PENDING;
  private T value;

  Watched(String name, Executor serial, Runnable onUpdate) {
    this.name = name;
    this.serial = serial;
    this.onUpdate = onUpdate;
  }

  String name() {
    return name;
  }

  State state() {
    return state;
  }

  /** The last value, or {@code null} unless {@link #state()} is PRESENT. */
  T value() {
    return value;
  }

  @Override
  public void onChanged(T newValue) {
    serial.execute(() -> {
      state = State.PRESENT;
      value = newValue;
      onUpdate.run();
    });
  }

  @Override
  public void onResourceDoesNotExist(String resourceName) {
    serial.execute(() -> {
      state = State.ABSENT;
      value = null;
      onUpdate.run();
    });
  }

  @Override
  public void onError(String detail) {
    // The last good value keeps serving; the client records the error for the status view.
  }
}

package io.mesh4j.runtime.xds;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Records what a watcher is told, for assertions from the test thread. */
final class RecordingWatcher<T> implements ResourceWatcher<T> {
  final List<T> values = new CopyOnWriteArrayList<>();
  final List<String> errors = new CopyOnWriteArrayList<>();
  final List<String> events = new CopyOnWriteArrayList<>();

  @Override
  public void onChanged(T value) {
    values.add(value);
    events.add("changed");
  }

  @Override
  public void onResourceDoesNotExist(String name) {
    events.add("dne");
  }

  @Override
  public void onError(String detail) {
    errors.add(detail);
    events.add("error");
  }

  T last() {
    return values.isEmpty() ? null : values.get(values.size() - 1);
  }

  boolean doesNotExist() {
    return !events.isEmpty() && events.get(events.size() - 1).equals("dne");
  }

  int count(String event) {
    return events.stream().filter(event::equals).collect(Collectors.toList()).size();
  }
}

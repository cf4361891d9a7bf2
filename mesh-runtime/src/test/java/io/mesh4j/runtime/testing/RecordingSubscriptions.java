package io.mesh4j.runtime.testing;

import io.mesh4j.runtime.xds.ResourceSubscriptions;
import io.mesh4j.runtime.xds.ResourceWatcher;
import io.mesh4j.runtime.xds.XdsResourceType;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Passes every watch on to a real xDS client, recording which threads started watches and how many. */
public final class RecordingSubscriptions implements ResourceSubscriptions {
  private final ResourceSubscriptions delegate;
  private final Set<String> threads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger watches = new AtomicInteger();

  public RecordingSubscriptions(ResourceSubscriptions delegate) {
    this.delegate = delegate;
  }

  @Override
  public <T> void watch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher) {
    threads.add(Thread.currentThread().getName());
    watches.incrementAndGet();
    delegate.watch(type, name, watcher);
  }

  @Override
  public <T> void cancelWatch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher) {
    delegate.cancelWatch(type, name, watcher);
  }

  @Override
  public void afterDelivery(Runnable task) {
    delegate.afterDelivery(task);
  }

  @Override
  public void batch(Runnable changes) {
    delegate.batch(changes);
  }

  /** The names of the threads that started a watch. */
  public Set<String> watchingThreads() {
    return Set.copyOf(threads);
  }

  public int watchCount() {
    return watches.get();
  }
}

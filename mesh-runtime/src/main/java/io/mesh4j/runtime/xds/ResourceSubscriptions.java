package io.mesh4j.runtime.xds;

/** Subscribing to xDS resources by type and name: what the config assembler needs of the xDS client. */
public interface ResourceSubscriptions {
  <T> void watch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher);

  <T> void cancelWatch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher);

  /**
   * Runs {@code task} once the watcher calls being made now are over: a response of 10,000 clusters makes 10,000
   * {@link ResourceWatcher#onChanged} calls in one go, and a subscriber that rebuilds from the whole (the assembler)
   * waits with this to rebuild once per response rather than whenever it catches up with the calls so far. Runs at
   * once when no calls are being made. The task must be short: it holds up the client's next work.
   */
  default void afterDelivery(Runnable task) {
    task.run();
  }

  /**
   * Runs {@code changes}, the watches and cancellations this thread makes, at once, and has the client tell the
   * control plane of them together: one request per resource type for the lot. Without it a burst is gathered only
   * as far as timing allows, and a busy machine split the 499 cancellations of one route change into 73 requests,
   * each naming every cluster still watched.
   */
  default void batch(Runnable changes) {
    changes.run();
  }
}

package io.mesh4j.runtime.xds;

/** Subscribing to xDS resources by type and name: what the config assembler needs of the xDS client. */
public interface ResourceSubscriptions {
  <T> void watch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher);

  <T> void cancelWatch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher);
}

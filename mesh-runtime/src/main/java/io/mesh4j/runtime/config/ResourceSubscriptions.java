package io.mesh4j.runtime.config;

/** The part of the xDS client the assembler uses: subscribing and unsubscribing by type and name. */
public interface ResourceSubscriptions {
  <T> void watch(io.mesh4j.runtime.xds.XdsResourceType<T> type, String name, io.mesh4j.runtime.xds.ResourceWatcher<T> watcher);

  <T> void cancelWatch(io.mesh4j.runtime.xds.XdsResourceType<T> type, String name, io.mesh4j.runtime.xds.ResourceWatcher<T> watcher);
}

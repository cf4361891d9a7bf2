package io.mesh4j.runtime.xds;

import com.google.protobuf.Message;
import io.grpc.SynchronizationContext.ScheduledHandle;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the client knows of one subscribed (type, name) and who watches it. Touched only on the client's
 * synchronization context.
 */
final class ResourceSubscription<T> {
  private static final Logger log = LoggerFactory.getLogger(ResourceSubscription.class);

  final XdsResourceType<T> type;
  final String name;
  private final Set<ResourceWatcher<T>> watchers = new LinkedHashSet<>();
  private T value;
  private Message proto;
  private String version = "";
  private Instant lastUpdated;
  private ResourceState state = ResourceState.REQUESTED;
  private String errorDetail;
  private boolean doesNotExist;
  ScheduledHandle fetchTimer;

  ResourceSubscription(XdsResourceType<T> type, String name) {
    this.type = type;
    this.name = name;
  }

  void addWatcher(ResourceWatcher<T> watcher, java.util.concurrent.Executor deliver) {
    if (!watchers.add(watcher)) {
      return;
    }
    if (value != null) {
      T v = value;
      deliver.execute(() -> safely(() -> watcher.onChanged(v)));
    } else if (doesNotExist) {
      deliver.execute(() -> safely(() -> watcher.onResourceDoesNotExist(name)));
    }
  }

  boolean removeWatcher(ResourceWatcher<T> watcher) {
    watchers.remove(watcher);
    return watchers.isEmpty();
  }

  /** Whether the control plane has said anything of it yet (value, does-not-exist or rejection). */
  boolean heardOf() {
    return value != null || doesNotExist || state == ResourceState.NACKED;
  }

  boolean hasValue() {
    return value != null;
  }

  void onAccepted(Message newProto, T decoded, String responseVersion, Instant now) {
    cancelFetchTimer();
    version = responseVersion;
    lastUpdated = now;
    state = ResourceState.ACKED;
    errorDetail = null;
    doesNotExist = false;
    if (newProto.equals(proto)) {
      return; // unchanged: watchers already have it
    }
    proto = newProto;
    value = decoded;
    for (ResourceWatcher<T> w : List.copyOf(watchers)) {
      safely(() -> w.onChanged(decoded));
    }
  }

  void onRejected(String detail, Instant now) {
    cancelFetchTimer();
    state = ResourceState.NACKED;
    errorDetail = detail;
    lastUpdated = now;
    notifyError(detail);
  }

  void onDoesNotExist() {
    cancelFetchTimer();
    if (doesNotExist) {
      return;
    }
    doesNotExist = true;
    value = null;
    proto = null;
    state = ResourceState.DOES_NOT_EXIST;
    errorDetail = null;
    for (ResourceWatcher<T> w : List.copyOf(watchers)) {
      safely(() -> w.onResourceDoesNotExist(name));
    }
  }

  void notifyError(String detail) {
    for (ResourceWatcher<T> w : List.copyOf(watchers)) {
      safely(() -> w.onError(detail));
    }
  }

  void cancelFetchTimer() {
    if (fetchTimer != null) {
      fetchTimer.cancel();
      fetchTimer = null;
    }
  }

  ResourceStatus status() {
    return new ResourceStatus(type.typeUrl(), name, version, lastUpdated, state, errorDetail);
  }

  ResourceDump dump() {
    return new ResourceDump(status(), proto);
  }

  private void safely(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.error("watcher of {} '{}' threw", type.shortName(), name, e);
    }
  }
}

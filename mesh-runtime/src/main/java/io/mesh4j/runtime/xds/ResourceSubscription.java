package io.mesh4j.runtime.xds;

import com.google.protobuf.ByteString;
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
  /**
   * The serialized form {@link #proto} was accepted in: a resend of the same bytes is recognized without parsing or
   * decoding it again. Kept as the response gave it: grpc-java parses responses without aliasing (into a buffer it
   * reuses), so a resource's bytes are already its own array, not a view of the whole response.
   */
  private ByteString acceptedBytes;
  private String version = "";
  private Instant lastUpdated;
  private ResourceState state = ResourceState.REQUESTED;
  private String errorDetail;
  private String rejectedVersion;
  private String source;
  private boolean doesNotExist;
  ScheduledHandle fetchTimer;
  /** The removal was logged once under ignore_resource_deletion. */
  boolean deletionIgnoredLogged;

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

  /** The value held (accepted, or read from the persisted cache), or {@code null}. */
  T value() {
    return value;
  }

  /**
   * Whether the client holds an answer for it, as gRFC A71 counts for fallback: a value (from a control plane or
   * the persisted cache) or a known absence.
   */
  boolean cached() {
    return value != null || doesNotExist;
  }

  /** The last accepted proto, or {@code null}. */
  Message proto() {
    return proto;
  }

  String version() {
    return version;
  }

  Instant lastUpdated() {
    return lastUpdated;
  }

  ResourceState state() {
    return state;
  }

  /** The bytes {@link #proto()} was accepted in from a control plane, or {@code null}. */
  ByteString acceptedBytes() {
    return acceptedBytes;
  }

  /** Whether {@code bytes} are those of the value held, as accepted from a control plane. */
  boolean isResendOf(ByteString bytes) {
    // Compared as buffers (a vectorized mismatch) rather than by ByteString.equals, which compares byte by byte: a
    // response of 10,000 unchanged assignments is some 3 MB to compare.
    return acceptedBytes != null && acceptedBytes.size() == bytes.size()
        && acceptedBytes.asReadOnlyByteBuffer().equals(bytes.asReadOnlyByteBuffer());
  }

  /**
   * A control plane ({@code source}) sent a valid value, serialized as {@code bytes}; whether it differs from the one
   * held.
   */
  boolean onAccepted(Message newProto, ByteString bytes, T decoded, String responseVersion, Instant now,
      String source) {
    onResent(responseVersion, now, source);
    acceptedBytes = bytes;
    if (newProto.equals(proto)) {
      return false; // unchanged: watchers already have it
    }
    proto = newProto;
    value = decoded;
    for (ResourceWatcher<T> w : List.copyOf(watchers)) {
      safely(() -> w.onChanged(decoded));
    }
    return true;
  }

  /**
   * A control plane ({@code source}) sent again the bytes it was last accepted in ({@link #isResendOf}): the same
   * bookkeeping as {@link #onAccepted} for an unchanged value, without parsing, decoding or comparing it again.
   */
  void onResent(String responseVersion, Instant now, String source) {
    cancelFetchTimer();
    version = responseVersion;
    lastUpdated = now;
    state = ResourceState.ACKED;
    errorDetail = null;
    rejectedVersion = null;
    doesNotExist = false;
    this.source = source;
  }

  /**
   * A value read from the persisted cache, before any control plane answered: served as the last good config,
   * replaced by the first answer. Ignored once anything was heard from a control plane.
   */
  void onCached(Message cachedProto, T decoded, String cachedVersion, Instant sentAt, String source) {
    if (heardOf()) {
      return;
    }
    version = cachedVersion;
    lastUpdated = sentAt;
    state = ResourceState.CACHED;
    this.source = source;
    proto = cachedProto;
    acceptedBytes = null;
    value = decoded;
    for (ResourceWatcher<T> w : List.copyOf(watchers)) {
      safely(() -> w.onChanged(decoded));
    }
  }

  void onRejected(String detail, String responseVersion, Instant now) {
    cancelFetchTimer();
    state = ResourceState.NACKED;
    errorDetail = detail;
    rejectedVersion = responseVersion;
    lastUpdated = now;
    notifyError(detail);
  }

  void onDoesNotExist(String source) {
    cancelFetchTimer();
    if (doesNotExist) {
      return;
    }
    doesNotExist = true;
    value = null;
    proto = null;
    acceptedBytes = null;
    state = ResourceState.DOES_NOT_EXIST;
    errorDetail = null;
    rejectedVersion = null;
    this.source = source;
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

  /** gRFC A78's {@code cache_state} of this resource. */
  XdsClientStats.CacheState cacheState() {
    switch (state) {
      case ACKED:
      case CACHED:
        return XdsClientStats.CacheState.ACKED;
      case NACKED:
        return value != null ? XdsClientStats.CacheState.NACKED_BUT_CACHED : XdsClientStats.CacheState.NACKED;
      case DOES_NOT_EXIST:
        return XdsClientStats.CacheState.DOES_NOT_EXIST;
      default:
        return XdsClientStats.CacheState.REQUESTED;
    }
  }

  ResourceStatus status() {
    return new ResourceStatus(type.typeUrl(), name, version, lastUpdated, state, errorDetail,
        value != null || doesNotExist ? source : null);
  }

  ResourceDump dump() {
    return new ResourceDump(status(), proto, rejectedVersion);
  }

  private void safely(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.error("watcher of {} '{}' threw", type.shortName(), name, e);
    }
  }
}

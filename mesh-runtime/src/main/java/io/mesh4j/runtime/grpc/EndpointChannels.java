package io.mesh4j.runtime.grpc;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.config.MeshSnapshot;
import io.mesh4j.runtime.config.SnapshotListener;
import io.mesh4j.runtime.config.TargetConfig;
import io.mesh4j.runtime.policy.Scheduler;
import io.mesh4j.runtime.security.UpstreamTls;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.model.LocalityEndpoints;
import io.mesh4j.runtime.model.UpstreamTlsConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The channels one {@link MeshChannel} opened to its target's endpoints, one per (endpoint address, TLS context), and
 * their lifecycle. A channel is opened on first use; when a published config no longer has its endpoint (or its
 * cluster's TLS context changed) it leaves the cache and is shut down gracefully a moment later, so a call that
 * picked the endpoint just before the change still starts on it and calls in flight finish. When the mesh closes,
 * every channel is shut down.
 */
final class EndpointChannels implements SnapshotListener {
  /** How long a channel that left the config stays usable: the time between a pick and its call's start. */
  static final long RETIRE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private record Key(String address, UpstreamTls tls) {}

  private record Live(String address, UpstreamTlsConfig tls) {}

  /** The channel last found for an endpoint, and the TLS context it was found with. */
  private record Found(UpstreamTls tls, ManagedChannel channel) {}

  private final String target;
  private final Function<String, ManagedChannel> plaintext;
  private final MeshChannel.TlsEndpointChannels tlsChannels;
  private final Scheduler scheduler;
  private final Map<Key, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<UpstreamTls, ChannelCredentials> credentials = new ConcurrentHashMap<>();
  /** Left the config, shutdown pending its grace. */
  private final Set<ManagedChannel> retiring = ConcurrentHashMap.newKeySet();
  /**
   * The channel of each endpoint picked since the last config, by the endpoint itself: a call then neither formats
   * the endpoint's address nor makes a {@link Key}. Replaced by an empty map after every config's releases, so it
   * never holds a released channel: a lookup that read the new map reads {@link #channels} after the releases too.
   */
  private volatile Map<LbEndpoint, Found> byEndpoint = new ConcurrentHashMap<>();
  private volatile boolean closed;

  EndpointChannels(String target, Function<String, ManagedChannel> plaintext,
      MeshChannel.TlsEndpointChannels tlsChannels, Scheduler scheduler) {
    this.target = target;
    this.plaintext = plaintext;
    this.tlsChannels = tlsChannels;
    this.scheduler = scheduler;
  }

  /** The cached channel to {@code endpoint} (TLS with {@code tls}, or plaintext when null), opened on first use. */
  ManagedChannel channelTo(LbEndpoint endpoint, UpstreamTls tls) {
    Map<LbEndpoint, Found> found = byEndpoint;
    Found last = found.get(endpoint);
    if (last != null && last.tls() == tls) {
      return last.channel();
    }
    ManagedChannel channel = channelTo(endpoint.hostPort(), tls);
    if (found.size() < MAX_REMEMBERED_ENDPOINTS) {
      found.put(endpoint, new Found(tls, channel));
    }
    return channel;
  }

  /** Bounds {@link #byEndpoint} between two configs; past it, calls look their channel up by address. */
  private static final int MAX_REMEMBERED_ENDPOINTS = 4096;

  /** The cached channel to {@code address} (TLS with {@code tls}, or plaintext when null), opened on first use. */
  ManagedChannel channelTo(String address, UpstreamTls tls) {
    Key key = new Key(address, tls);
    ManagedChannel channel = channels.get(key);
    if (channel == null) {
      channel = channels.computeIfAbsent(key, k -> k.tls() == null ? plaintext.apply(k.address())
          : tlsChannels.open(k.address(), credentials.computeIfAbsent(k.tls(), GrpcUpstreamTls::credentials),
              tlsAuthority(k.tls())));
      if (closed) {
        channel.shutdown(); // lost a race with the close: do not leak it
      }
    }
    return channel;
  }

  /** A TLS endpoint channel's authority: the cluster's {@code sni} (with the target's port), else the target. */
  private String tlsAuthority(UpstreamTls tls) {
    String sni = tls.config().sni();
    if (sni.isEmpty()) {
      return target;
    }
    int colon = target.lastIndexOf(':');
    return colon < 0 ? sni : sni + target.substring(colon);
  }

  /** Releases the channels to endpoints the target's new config no longer has. */
  @Override
  public void published(MeshSnapshot snapshot) {
    TargetConfig config = snapshot.target(target);
    if (config == null || closed) {
      return;
    }
    Set<Live> live = liveEndpoints(config);
    channels.forEach((key, channel) -> {
      if (!live.contains(new Live(key.address(), key.tls() == null ? null : key.tls().config()))
          && channels.remove(key, channel)) {
        retire(channel);
      }
    });
    credentials.keySet().removeIf(tls -> channels.keySet().stream().noneMatch(key -> key.tls() == tls));
    byEndpoint = new ConcurrentHashMap<>();
  }

  private Set<Live> liveEndpoints(TargetConfig config) {
    Set<Live> live = new HashSet<>();
    if (!(config instanceof TargetConfig.Routed routed)) {
      live.add(new Live(target, null)); // the pass-through channel to the target itself
      return live;
    }
    for (ClusterRuntime cluster : routed.clusters().values()) {
      EndpointResource assignment = cluster.endpoints();
      if (assignment == null) {
        continue;
      }
      UpstreamTlsConfig tls = cluster.cluster().tls();
      for (LocalityEndpoints locality : assignment.localities()) {
        for (LbEndpoint endpoint : locality.endpoints()) {
          live.add(new Live(endpoint.hostPort(), tls));
        }
      }
    }
    return live;
  }

  private void retire(ManagedChannel channel) {
    retiring.add(channel);
    scheduler.schedule(() -> {
      if (retiring.remove(channel)) {
        channel.shutdown();
      }
    }, RETIRE_GRACE_NANOS);
  }

  @Override
  public void closed() {
    shutdown();
  }

  boolean isClosed() {
    return closed;
  }

  void shutdown() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdown);
    retiring.removeIf(channel -> {
      channel.shutdown();
      return true;
    });
  }

  void shutdownNow() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdownNow);
    retiring.removeIf(channel -> {
      channel.shutdownNow();
      return true;
    });
  }

  /** Whether every channel opened (and not yet retired) has terminated. */
  boolean terminated() {
    for (ManagedChannel channel : channels.values()) {
      if (!channel.isTerminated()) {
        return false;
      }
    }
    return true;
  }

  boolean awaitTermination(long deadlineNanoTime) throws InterruptedException {
    for (ManagedChannel channel : new ArrayList<>(channels.values())) {
      long left = deadlineNanoTime - System.nanoTime();
      if (!channel.awaitTermination(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
    return terminated();
  }

  /** The addresses with an open channel, for tests and diagnostics. */
  List<String> addresses() {
    return channels.keySet().stream().map(Key::address).distinct().toList();
  }

  /** How many channels are cached, and how many TLS credentials: for tests that check both stay bounded. */
  int channelCount() {
    return channels.size();
  }

  int credentialCount() {
    return credentials.size();
  }

  @Override
  public String toString() {
    return channels.keySet().toString();
  }
}

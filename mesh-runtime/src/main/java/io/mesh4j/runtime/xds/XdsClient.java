package io.mesh4j.runtime.xds;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.SynchronizationContext.ScheduledHandle;
import io.grpc.SynchronizationContext;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.bootstrap.Bootstrap;
import io.mesh4j.runtime.bootstrap.XdsServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An xDS client: one ADS stream (state of the world) at a time to the bootstrap's control planes, per-resource
 * watches, ACK/NACK, and a cache of the last accepted value of every subscribed resource.
 *
 * <p>Semantics, as gRPC's xDS client: a response is checked resource by resource; valid resources are applied even
 * when others in the same response are rejected; the response is ACKed when all are valid, NACKed (previous
 * version, new nonce, {@code error_detail} naming each bad resource and field) otherwise. A rejected resource keeps
 * its last good value. For LDS and CDS, a subscribed name missing from a response does not exist (unless that
 * server has the {@code ignore_resource_deletion} feature and we had a value: gRFC A53), and a resource the control
 * plane does not send within the initial fetch timeout of the stream it was requested on does not exist.
 *
 * <p>Unlike grpc-java, a name never seen yet can be concluded absent from an LDS/CDS response, not only at the
 * initial fetch timeout: an HTTP client asks for a listener for every host it calls, and under ALLOW_ANY each host
 * outside the mesh would otherwise stall its first call for the whole timeout (15 s). grpc-java waits because a
 * response may predate the request that named the resource. We count the requests that added names and conclude
 * absence only from a response when every such request has had a response; the remaining case, a push crossing
 * the request, is rare and heals itself, since the control plane answers the request right after and a resource
 * that arrives after being judged absent is delivered as usual.
 *
 * <p>Control-plane loss (gRFC A57): when a stream breaks, watchers are told ({@code onError}, once per outage) but
 * keep their values; the client reconnects with gRPC's backoff (a new policy after a stream that got answers, the
 * next attempt due one backoff after the previous one started) and asks for every watched resource again, with
 * the versions it accepted from that server. A failed channel is replaced, so that grpc-java's own channel backoff
 * does not stack on ours. The stream's return is logged at INFO.
 *
 * <p>Fallback (gRFC A71): {@code xds_servers} are tried in order. The next server is used only while every earlier
 * one is unreachable (its stream ended without a response) and a watched resource has no cached answer; the
 * earlier ones keep being retried, and the first answer from one of them ends the fallback (the later connections
 * are closed). Values are replaced only by what a server sends: falling back drops nothing. The status view names
 * the server each value came from.
 *
 * <p>A {@link ResourceCache} (optional) receives every accepted resource; when no server has answered since the
 * client started and every server proved unreachable (or the cache wait passed), watched resources not heard of
 * are served from it ({@code CACHED}), and the first answer replaces them.
 *
 * <p>Threading: all state lives on one {@link SynchronizationContext}. {@link #watch} and {@link #cancelWatch} may be
 * called from any thread; watchers are called on the context, one at a time. {@link #status()}, {@link #connected()},
 * {@link #stats()} and {@link #ignoredFields()} read published values and may be called from anywhere.
 */
public final class XdsClient implements AutoCloseable, ResourceSubscriptions {
  private static final Logger log = LoggerFactory.getLogger(XdsClient.class);

  /** As gRPC: a resource not sent within this long after it was requested does not exist. */
  public static final Duration DEFAULT_INITIAL_FETCH_TIMEOUT = Duration.ofSeconds(15);

  private final List<XdsServer> servers;
  private final Node node;
  private final XdsChannelFactory channelFactory;
  private final ScheduledExecutorService scheduler;
  /** Types whose request waits for the burst of watches it belongs to, and whether the status does; in the context. */
  private final Set<TypeState<?>> requestsDue = new LinkedHashSet<>();
  private boolean statusDue;
  private boolean flushQueued;
  /** Open {@link #batch}es; while any is, due requests wait for its end. In the context. */
  private int openBatches;
  private final Clock clock;
  private final LongSupplier ticker;
  private final Supplier<BackoffPolicy> backoffPolicies;
  private final Duration initialFetchTimeout;
  private final ResourceCache cache;
  private final Duration cacheWait;
  private final SynchronizationContext context;
  private final XdsClientStats stats;

  /** Per type URL, in the order types were first watched. */
  private final Map<String, TypeState<?>> types = new LinkedHashMap<>();
  private final Set<String> ignoredFieldsSeen = new LinkedHashSet<>();
  /** Connections to {@code servers[0..n)}: the primary always, each fallback only while those before it fail. */
  private final List<ServerConnection> connections = new ArrayList<>();

  /** The connection whose stream answers now and whose responses apply; {@code null} while none does. */
  private ServerConnection serving;
  private boolean closed;
  private boolean outageReported;
  private long outageStartNanos;
  private boolean everAnswered;
  private boolean cacheInUse;
  private ScheduledHandle cacheTimer;

  private volatile boolean connected;
  private volatile String servingUri;
  private volatile List<ResourceStatus> publishedStatus = List.of();
  private volatile List<ResourceDump> publishedDump = List.of();
  private volatile List<String> publishedIgnoredFields = List.of();

  private XdsClient(Builder b) {
    this.servers = b.bootstrap.servers();
    this.node = b.bootstrap.node();
    this.channelFactory = b.channelFactory;
    this.scheduler = b.scheduler;
    this.clock = b.clock;
    this.ticker = b.ticker;
    this.backoffPolicies = b.backoffPolicies;
    this.initialFetchTimeout = b.initialFetchTimeout;
    this.cache = b.cache;
    this.cacheWait = b.cacheWait;
    this.servingUri = servers.get(0).serverUri();
    this.stats = new XdsClientStats(servers.stream().map(XdsServer::serverUri).toList());
    this.context =
        new SynchronizationContext((thread, e) -> log.error("xDS client: unexpected error on its context", e));
  }

  public static Builder newBuilder(Bootstrap bootstrap, ScheduledExecutorService scheduler) {
    return new Builder(bootstrap, scheduler);
  }

  /**
   * Subscribes {@code watcher} to resource {@code name} of {@code type}. If the resource is already known, the
   * watcher gets its value (or does-not-exist) at once, on the context.
   */
  public <T> void watch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(watcher, "watcher");
    context.execute(
        () -> {
          if (closed) {
            return;
          }
          TypeState<T> state = typeState(type);
          ResourceSubscription<T> sub = state.subscriptions.get(name);
          if (sub == null) {
            sub = new ResourceSubscription<>(type, name);
            state.subscriptions.put(name, sub);
            takeUnsolicited(state, sub);
            if (connections.isEmpty()) {
              startCacheTimer();
              connect(0);
            } else {
              boolean streaming = false;
              for (ServerConnection conn : connections) {
                streaming |= conn.stream != null;
              }
              if (streaming) {
                requestSoon(state, true);
                if (!sub.heardOf()) {
                  startFetchTimer(sub);
                }
              }
              if (cacheInUse && !everAnswered) {
                loadFromCache(sub);
              }
              maybeFallBack();
            }
            publishStatusSoon();
          }
          sub.addWatcher(watcher, context);
        });
  }

  /**
   * Sends {@code state}'s request once the watches and cancellations made in the same burst are in: subscribing
   * 10,000 names one by one sent 10,000 requests (the last naming all 10,000), and a state-of-the-world server
   * answered each with every resource named so far, quadratic on both sides; dropping them one by one was as
   * quadratic. The request goes out after a hop through the scheduler, so every watch already queued on the context
   * is taken first. Runs in the context.
   *
   * @param addsNames whether the request will name something new (a watch, not a cancellation)
   */
  private void requestSoon(TypeState<?> state, boolean addsNames) {
    requestsDue.add(state);
    if (addsNames && !state.requestDueAddsNames) {
      state.requestDueAddsNames = true;
      // Counted now, not when sent: a response arriving before the flush must not declare the new names absent.
      for (ServerConnection conn : connections) {
        if (conn.stream != null) {
          conn.protocol(state.type).unansweredSubscriptions++;
        }
      }
    }
    flushSoon();
  }

  /** The status view after a burst of watches or cancellations: rebuilding it for each was quadratic too. */
  private void publishStatusSoon() {
    statusDue = true;
    flushSoon();
  }

  private void flushSoon() {
    if (flushQueued) {
      return;
    }
    flushQueued = true;
    try {
      scheduler.execute(() -> context.execute(this::flush));
    } catch (RejectedExecutionException e) {
      flush(); // shutting down: now, or not at all
    }
  }

  private void flush() {
    flushQueued = false;
    if (openBatches > 0) {
      return; // the batch's end flushes
    }
    sendDueRequests();
    // Closed: the subscribers drop their watches one by one, each a flush once the scheduler is shut down too, and a
    // status view rebuilt for each made closing a large mesh quadratic. The last view stays.
    if (statusDue && !closed) {
      statusDue = false;
      publishStatus();
    }
  }

  private void sendDueRequests() {
    List<TypeState<?>> due = List.copyOf(requestsDue);
    requestsDue.clear();
    due.forEach(state -> state.requestDueAddsNames = false);
    if (closed) {
      return;
    }
    for (TypeState<?> state : due) {
      for (ServerConnection conn : connections) {
        if (conn.stream != null) {
          conn.stream.sendRequest(state);
        }
      }
    }
  }

  private <T> void takeUnsolicited(TypeState<T> state, ResourceSubscription<T> sub) {
    Unsolicited sent = state.unsolicited.remove(sub.name);
    if (sent == null) {
      return;
    }
    try {
      sub.onAccepted(sent.message(), sent.bytes(), decode(state.type, sent.message(), new ArrayList<>()),
          sent.version(), sent.receivedAt(), sent.source());
      cache.accepted(state.type, sub.name, sent.version(), sent.message(), sent.receivedAt());
    } catch (ResourceInvalidException e) {
      // It was valid when it came; a decoder that now disagrees has already logged why.
    }
  }

  /** Removes {@code watcher}; when the resource has no watcher left, it is unsubscribed from the control plane. */
  public <T> void cancelWatch(XdsResourceType<T> type, String name, ResourceWatcher<T> watcher) {
    context.execute(
        () -> {
          @SuppressWarnings("unchecked")
          TypeState<T> state = (TypeState<T>) types.get(type.typeUrl());
          if (state == null) {
            return;
          }
          ResourceSubscription<T> sub = state.subscriptions.get(name);
          if (sub == null || !sub.removeWatcher(watcher)) {
            return;
          }
          sub.cancelFetchTimer();
          state.subscriptions.remove(name);
          if (!closed && anyStreamOpen()) {
            requestSoon(state, false);
          }
          publishStatusSoon();
        });
  }

  /**
   * The batch opens and closes with tasks on the context around the caller's watches and cancellations, which queue
   * (or run) between them in order: the requests they make wait for the close.
   */
  @Override
  public void batch(Runnable changes) {
    context.execute(() -> openBatches++);
    try {
      changes.run();
    } finally {
      context.execute(() -> {
        openBatches--;
        if (openBatches == 0 && (statusDue || !requestsDue.isEmpty())) {
          flush();
        }
      });
    }
  }

  /** Queued on the context: it runs after the task delivering a response's watcher calls, however long that is. */
  @Override
  public void afterDelivery(Runnable task) {
    context.execute(Objects.requireNonNull(task, "task"));
  }

  /** Every subscribed resource and what the client made of it. */
  public List<ResourceStatus> status() {
    return publishedStatus;
  }

  /** Every subscribed resource with its status and last accepted proto, for CSDS. */
  public List<ResourceDump> dump() {
    return publishedDump;
  }

  /** The node this client identifies as. */
  public Node node() {
    return node;
  }

  /** Whether an ADS stream that has answered is up now (to the primary or a fallback server). */
  public boolean connected() {
    return connected;
  }

  /** Counters and gauges as gRFC A78 names them, for a metrics binder. */
  public XdsClientStats stats() {
    return stats;
  }

  /** Fields the control plane sent that were accepted without acting on them, each once. */
  public List<String> ignoredFields() {
    return publishedIgnoredFields;
  }

  /**
   * The {@code server_uri} of the control plane whose answers the client uses now (a fallback server while the
   * primary is unreachable), or of the last one that answered; the primary's before any did.
   */
  public String serverUri() {
    return servingUri;
  }

  /** Stops talking to the control plane; watchers are not called afterwards. */
  @Override
  public void close() {
    context.execute(
        () -> {
          if (closed) {
            return;
          }
          closed = true;
          connected = false;
          cancelCacheTimer();
          for (TypeState<?> state : types.values()) {
            state.subscriptions.values().forEach(ResourceSubscription::cancelFetchTimer);
          }
          for (ServerConnection conn : connections) {
            conn.shutdown("xDS client closed");
          }
          connections.clear();
          serving = null;
          cache.close();
        });
  }

  @SuppressWarnings("unchecked")
  private <T> TypeState<T> typeState(XdsResourceType<T> type) {
    TypeState<?> state = types.computeIfAbsent(type.typeUrl(), url -> new TypeState<>(type));
    if (state.type != type) {
      throw new IllegalArgumentException("two resource types for " + type.typeUrl());
    }
    return (TypeState<T>) state;
  }

  // ---- connections and fallback (on the context) ----

  private void connect(int index) {
    ServerConnection conn = new ServerConnection(index, servers.get(index));
    connections.add(conn);
    conn.startStream();
  }

  /**
   * gRFC A71: use the next server only while every server before it is unreachable and some watched resource has
   * no cached answer; keep retrying the earlier ones, whose first answer ends the fallback.
   */
  private void maybeFallBack() {
    if (closed || serving != null || connections.isEmpty()) {
      return;
    }
    ServerConnection last = connections.get(connections.size() - 1);
    if (!last.unreachable || connections.size() >= servers.size() || !anyUncached()) {
      return;
    }
    XdsServer next = servers.get(connections.size());
    log.warn("xDS server {} is unreachable and some watched resources have no cached value: falling back to {}",
        last.server.serverUri(), next.serverUri());
    connect(connections.size());
  }

  private boolean anyUncached() {
    for (TypeState<?> state : types.values()) {
      for (ResourceSubscription<?> sub : state.subscriptions.values()) {
        if (!sub.cached()) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean anyStreamOpen() {
    for (ServerConnection conn : connections) {
      if (conn.stream != null) {
        return true;
      }
    }
    return false;
  }

  private boolean everyServerUnreachable() {
    if (connections.size() < servers.size() && anyUncached()) {
      return false; // a fallback server is still to be tried
    }
    for (ServerConnection conn : connections) {
      if (!conn.unreachable) {
        return false;
      }
    }
    return !connections.isEmpty();
  }

  /** {@code conn} answered: it serves from now on, and every lower-priority connection is closed. */
  private void startServing(ServerConnection conn) {
    ServerConnection previous = serving;
    serving = conn;
    if (!everAnswered) {
      everAnswered = true;
      cancelCacheTimer();
      cache.startupOver();
    }
    servingUri = conn.server.serverUri();
    connected = true;
    if (outageReported) {
      outageReported = false;
      log.info("ADS stream to {} reconnected after {} ms; re-subscribed {} resources, the last accepted configuration"
              + " served meanwhile", conn.server.serverUri(),
          TimeUnit.NANOSECONDS.toMillis(ticker.getAsLong() - outageStartNanos), subscriptionCount());
    }
    if (conn.index > 0) {
      log.warn("using fallback xDS server {} (#{} of xds_servers) while {} is unreachable", conn.server.serverUri(),
          conn.index, servers.get(0).serverUri());
    } else if (previous != null && previous != conn || connections.size() > 1) {
      log.info("primary xDS server {} answers again: leaving the fallback", conn.server.serverUri());
    }
    while (connections.size() > conn.index + 1) {
      connections.remove(connections.size() - 1).shutdown("a higher-priority xDS server answers");
    }
  }

  private int subscriptionCount() {
    int n = 0;
    for (TypeState<?> state : types.values()) {
      n += state.subscriptions.size();
    }
    return n;
  }

  private void onStreamClosed(ServerConnection conn, AdsStream closedStream, Status status) {
    if (closedStream != conn.stream) {
      return;
    }
    conn.stream = null;
    boolean answered = closedStream.responseReceived;
    if (conn == serving) {
      serving = null;
      connected = false;
    }
    if (!anyStreamOpen()) {
      for (TypeState<?> state : types.values()) {
        state.subscriptions.values().forEach(ResourceSubscription::cancelFetchTimer);
      }
    }
    if (closed) {
      return;
    }
    if (!answered) {
      // gRFC A57: a stream that ends before any response is a connectivity failure.
      conn.unreachable = true;
      conn.replaceChannel = true;
      stats.serverUnhealthy(conn.server.serverUri());
    }
    if ((!status.isOk() || !answered) && serving == null) {
      String detail = "ADS stream to " + conn.server.serverUri() + " closed: " + status.getCode()
          + (status.getDescription() == null ? "" : ": " + status.getDescription());
      if (outageReported) {
        // Tell watchers once per outage, not at every failed attempt.
        log.debug("{}; still reconnecting", detail);
      } else {
        outageReported = true;
        outageStartNanos = ticker.getAsLong();
        log.warn("{}; keeping the last accepted configuration and reconnecting", detail);
        for (TypeState<?> state : types.values()) {
          state.subscriptions.values().forEach(sub -> sub.notifyError(detail));
        }
      }
    }
    if (answered || conn.backoff == null) {
      // A stream that got answers was healthy: the backoff starts over, as gRPC's.
      conn.backoff = backoffPolicies.get();
    }
    // As gRPC: the next attempt is due one backoff after the last one started, not after it failed.
    long delayNanos = Math.max(0, conn.backoff.nextBackoffNanos() - (ticker.getAsLong() - closedStream.startNanos));
    conn.reconnectTimer =
        context.schedule(conn::startStream, delayNanos, TimeUnit.NANOSECONDS, scheduler);
    if (!answered) {
      maybeFallBack();
      if (!everAnswered && everyServerUnreachable()) {
        useCache("no xDS server is reachable");
      }
    }
    publishStatus();
  }

  private void startFetchTimer(ResourceSubscription<?> sub) {
    sub.cancelFetchTimer();
    sub.fetchTimer =
        context.schedule(
            () -> {
              sub.fetchTimer = null;
              log.info("{} resource '{}' not received within {}: does not exist", sub.type.shortName(), sub.name,
                  initialFetchTimeout);
              sub.onDoesNotExist(serving == null ? null : serving.server.serverUri());
              publishStatus();
            },
            initialFetchTimeout.toNanos(),
            TimeUnit.NANOSECONDS,
            scheduler);
  }

  // ---- the persisted cache (on the context) ----

  private void startCacheTimer() {
    if (cache == ResourceCache.NONE || cacheTimer != null || everAnswered) {
      return;
    }
    cacheTimer = context.schedule(() -> {
      cacheTimer = null;
      if (!everAnswered) {
        useCache("no xDS server answered within " + cacheWait);
      }
    }, cacheWait.toNanos(), TimeUnit.NANOSECONDS, scheduler);
  }

  private void cancelCacheTimer() {
    if (cacheTimer != null) {
      cacheTimer.cancel();
      cacheTimer = null;
    }
  }

  /** Serves every resource not heard of from the persisted cache, until a control plane answers. */
  private void useCache(String why) {
    if (cacheInUse || cache == ResourceCache.NONE) {
      return;
    }
    cacheInUse = true;
    cancelCacheTimer();
    int served = 0;
    for (TypeState<?> state : types.values()) {
      for (ResourceSubscription<?> sub : state.subscriptions.values()) {
        if (loadFromCache(sub)) {
          served++;
        }
      }
    }
    log.warn("{}: serving {} resources from the config cache ({}) until one answers", why, served, cache.source());
    publishStatus();
  }

  private <T> boolean loadFromCache(ResourceSubscription<T> sub) {
    if (sub.heardOf()) {
      return false;
    }
    ResourceCache.Entry entry = cache.lookup(sub.type.typeUrl(), sub.name);
    if (entry == null) {
      return false;
    }
    try {
      Message message = entry.resource().unpack(sub.type.messageClass());
      if (!sub.type.name(message).equals(sub.name)) {
        throw new ResourceInvalidException("cached under another name: " + sub.type.name(message));
      }
      T decoded = decode(sub.type, message, new ArrayList<>());
      sub.onCached(message, decoded, entry.version(), entry.acceptedAt(), cache.source());
      return true;
    } catch (ResourceInvalidException | InvalidProtocolBufferException e) {
      log.warn("config cache: {} resource '{}' cannot be used: {}", sub.type.shortName(), sub.name, e.getMessage());
      return false;
    }
  }

  // ---- responses (on the context) ----

  private void onResponse(ServerConnection conn, DiscoveryResponse response) {
    ServerConnection wasServing = serving;
    TypeState<?> state = acceptedType(conn, response.getTypeUrl());
    if (state != null) {
      handle(conn, state, response);
      publishStatus(serving == wasServing ? state : null);
    }
  }

  /**
   * The type a response from {@code conn} (either variant of the protocol) updates, making {@code conn} the serving
   * server if it was not; null when the response is to be ignored: a higher-priority server already serves (this
   * one is about to be closed), or the type was never requested.
   */
  private TypeState<?> acceptedType(ServerConnection conn, String typeUrl) {
    if (serving != conn) {
      if (serving != null && serving.index < conn.index) {
        return null;
      }
      startServing(conn);
    }
    TypeState<?> state = types.get(typeUrl);
    if (state == null) {
      log.warn("ignoring an xDS response of type {} that was never requested", typeUrl);
    }
    return state;
  }

  private <T> void handle(ServerConnection conn, TypeState<T> state, DiscoveryResponse response) {
    XdsResourceType<T> type = state.type;
    StreamTypeState protocol = conn.protocol(type);
    protocol.nonce = response.getNonce();
    String source = conn.server.serverUri();
    Instant now = clock.instant();
    List<String> errors = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    boolean unnamedInvalid = false;
    // What nobody watches is kept as this response has it (see TypeState.unsolicited); an earlier response's is not.
    state.unsolicited.clear();
    for (int i = 0; i < response.getResourcesCount(); i++) {
      Any any = response.getResources(i);
      String wrapperName = null;
      if (any.getTypeUrl().equals(RESOURCE_WRAPPER)) {
        try {
          Resource wrapper = any.unpack(Resource.class);
          wrapperName = wrapper.getName().isEmpty() ? null : wrapper.getName();
          any = wrapper.getResource();
        } catch (InvalidProtocolBufferException e) {
          stats.updateInvalid(source, type.typeUrl());
          errors.add(type.shortName() + " resource #" + i + ": " + e.getMessage());
          unnamedInvalid = true;
          continue;
        }
      }
      String name = apply(conn, state, i, wrapperName, any, response.getVersionInfo(), now, errors);
      if (name == null) {
        unnamedInvalid = true;
      } else {
        seen.add(name);
      }
    }
    protocol.unansweredSubscriptions = Math.max(0, protocol.unansweredSubscriptions - 1);
    if (type.isFullStateOfTheWorld() && !unnamedInvalid) {
      for (ResourceSubscription<T> sub : List.copyOf(state.subscriptions.values())) {
        if (seen.contains(sub.name)) {
          continue;
        }
        if (sub.fetchTimer != null && protocol.unansweredSubscriptions > 0) {
          // Not heard of yet, and a later request naming it is still unanswered: this response may predate it.
          continue;
        }
        if (sub.hasValue() && conn.server.ignoreResourceDeletion()) {
          if (!sub.deletionIgnoredLogged) {
            sub.deletionIgnoredLogged = true;
            log.warn("{} resource '{}' is gone from {}'s response; keeping it (ignore_resource_deletion)",
                type.shortName(), sub.name, source);
          }
          continue;
        }
        if (sub.hasValue()) {
          log.info("{} resource '{}' was removed by {}", type.shortName(), sub.name, source);
        }
        sub.onDoesNotExist(source);
        cache.removed(type, sub.name);
      }
    }
    if (errors.isEmpty()) {
      protocol.acceptedVersion = response.getVersionInfo();
      conn.stream.sendAck(state);
    } else {
      String detail = String.join("; ", errors);
      log.warn("NACK {} version {} from {}: {}", type.shortName(), response.getVersionInfo(), source, detail);
      conn.stream.sendNack(state, detail);
    }
  }

  /**
   * Checks and decodes one resource of a response and applies it to its subscription (accepted, or rejected keeping
   * the last good value). Returns its name, or {@code null} when it is invalid before its name is known.
   */
  private <T> String apply(ServerConnection conn, TypeState<T> state, int index, String givenName, Any any,
      String version, Instant now, List<String> errors) {
    XdsResourceType<T> type = state.type;
    String source = conn.server.serverUri();
    String name = givenName;
    try {
      if (!any.getTypeUrl().equals(type.typeUrl())) {
        throw new ResourceInvalidException(
            "resources[" + index + "]: type URL " + any.getTypeUrl() + ", expected " + type.typeUrl());
      }
      ByteString bytes = any.getValue();
      ResourceSubscription<T> known = state.subscriptions.get(name != null ? name : type.peekName(bytes));
      if (known != null && known.isResendOf(bytes)) {
        // Unchanged since it was accepted (a state-of-the-world response resends every resource of its type when one
        // changes): the same bytes parse and decode to the same value, so only the version and ACK state move on.
        stats.updateValid(source, type.typeUrl());
        known.onResent(version, now, source);
        return known.name;
      }
      Message message = known == null ? type.parse(bytes) : type.parse(bytes, known.acceptedBytes(), known.proto());
      String ownName = type.name(message);
      if (name != null && !name.equals(ownName)) {
        throw new ResourceInvalidException("named '" + ownName + "' inside, '" + name + "' outside");
      }
      name = ownName;
      ResourceSubscription<T> sub = state.subscriptions.get(name);
      List<String> notes = new ArrayList<>();
      T decoded = decode(type, message, sub == null ? null : sub.value(), notes);
      notes.forEach(this::noteIgnored);
      stats.updateValid(source, type.typeUrl());
      if (sub != null) {
        boolean wasCached = sub.state() == ResourceState.CACHED;
        if (sub.onAccepted(message, bytes, decoded, version, now, source) || wasCached) {
          cache.accepted(type, name, version, message, now);
        }
      } else {
        state.unsolicited.put(name, new Unsolicited(message, bytes, version, now, source));
      }
      return name;
    } catch (ResourceInvalidException | InvalidProtocolBufferException e) {
      stats.updateInvalid(source, type.typeUrl());
      String detail = type.shortName() + " resource " + (name == null ? "#" + index : "'" + name + "'") + ": "
          + e.getMessage();
      errors.add(detail);
      if (name != null) {
        ResourceSubscription<T> sub = state.subscriptions.get(name);
        if (sub != null) {
          sub.onRejected(detail, version, now);
        }
      }
      return name;
    }
  }

  private void onDeltaResponse(ServerConnection conn, DeltaDiscoveryResponse response) {
    ServerConnection wasServing = serving;
    TypeState<?> state = acceptedType(conn, response.getTypeUrl());
    if (state != null) {
      handleDelta(conn, state, response);
      publishStatus(serving == wasServing ? state : null);
    }
  }

  /**
   * A delta response names each resource with its own version, and the removed ones: a removal is a deletion (for
   * LDS and CDS kept under {@code ignore_resource_deletion}, gRFC A53); a name never sent is judged absent only by
   * the initial fetch timeout, since the protocol says nothing of names that never existed.
   */
  private <T> void handleDelta(ServerConnection conn, TypeState<T> state, DeltaDiscoveryResponse response) {
    XdsResourceType<T> type = state.type;
    conn.protocol(type).nonce = response.getNonce();
    String source = conn.server.serverUri();
    Instant now = clock.instant();
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < response.getResourcesCount(); i++) {
      Resource resource = response.getResources(i);
      if (!resource.hasResource()) {
        continue; // a name or version without a body says nothing we act on
      }
      apply(conn, state, i, resource.getName().isEmpty() ? null : resource.getName(), resource.getResource(),
          resource.getVersion(), now, errors);
    }
    for (String name : response.getRemovedResourcesList()) {
      state.unsolicited.remove(name);
      ResourceSubscription<T> sub = state.subscriptions.get(name);
      if (sub == null) {
        continue;
      }
      if (sub.hasValue() && type.isFullStateOfTheWorld() && conn.server.ignoreResourceDeletion()) {
        if (!sub.deletionIgnoredLogged) {
          sub.deletionIgnoredLogged = true;
          log.warn("{} resource '{}' was removed by {}; keeping it (ignore_resource_deletion)", type.shortName(),
              name, source);
        }
        continue;
      }
      log.info("{} resource '{}' was removed by {}", type.shortName(), name, source);
      sub.onDoesNotExist(source);
      cache.removed(type, name);
    }
    if (errors.isEmpty()) {
      conn.stream.sendAck(state);
    } else {
      String detail = String.join("; ", errors);
      log.warn("NACK {} delta response {} from {}: {}", type.shortName(), response.getNonce(), source, detail);
      conn.stream.sendNack(state, detail);
    }
  }

  private <T> T decode(XdsResourceType<T> type, Message message, List<String> notes)
      throws ResourceInvalidException {
    return decode(type, message, null, notes);
  }

  private <T> T decode(XdsResourceType<T> type, Message message, T previous, List<String> notes)
      throws ResourceInvalidException {
    try {
      return type.decode(message, previous, notes::add);
    } catch (RuntimeException e) {
      // A decoder bug must not take the client down; the resource is rejected like an invalid one.
      log.error("{} decoder failed", type.shortName(), e);
      throw new ResourceInvalidException("cannot decode: " + e);
    }
  }

  private void noteIgnored(String note) {
    if (ignoredFieldsSeen.add(note)) {
      log.info("accepted but ignored: {}", note);
      publishedIgnoredFields = List.copyOf(ignoredFieldsSeen);
    }
  }

  private void publishStatus() {
    publishStatus(null);
  }

  /**
   * Publishes the status view, built again only for {@code changed} (a response touches one type), or for every
   * type when it is {@code null}: a one-route change must not rebuild the status of 20,000 other resources.
   */
  private void publishStatus(TypeState<?> changed) {
    List<ResourceStatus> all = new ArrayList<>();
    List<ResourceDump> dump = new ArrayList<>();
    Map<String, EnumMap<XdsClientStats.CacheState, Long>> counts = new LinkedHashMap<>();
    for (TypeState<?> state : types.values()) {
      if (changed == null || changed == state || state.publishedDump == null) {
        state.publish();
      }
      for (ResourceDump entry : state.publishedDump) {
        all.add(entry.status());
        dump.add(entry);
      }
      counts.put(state.type.typeUrl(), state.publishedCounts);
    }
    publishedDump = List.copyOf(dump);
    publishedStatus = List.copyOf(all);
    stats.publishResources(counts);
  }

  private static final String RESOURCE_WRAPPER = "type.googleapis.com/envoy.service.discovery.v3.Resource";

  /** Per type: the subscriptions, shared by every server the client talks to. */
  private static final class TypeState<T> {
    final XdsResourceType<T> type;
    final Map<String, ResourceSubscription<T>> subscriptions = new LinkedHashMap<>();
    /** A request of this type is due (in {@code requestsDue}) and names something new: counted as unanswered. */
    boolean requestDueAddsNames;
    /**
     * Valid resources a server sent without our asking, kept so that a later watch gets them at once, since such a
     * server will not send them again: a delta server's (java-control-plane and Envoy treat LDS and CDS as wildcard),
     * and those of the type's last state-of-the-world response. A request naming no resource of a type (its last watch
     * cancelled) reads as a wildcard to a legacy server (java-control-plane, for every type), which answers with every
     * resource of the type, then takes the names it last sent as those the client holds, and answers a later request
     * naming one of them with nothing until it changes: without these, a route naming a cluster again (after a push
     * that named none) waited out the fetch timeout and found the cluster and its endpoints "do not exist".
     */
    final Map<String, Unsolicited> unsolicited = new HashMap<>();
    /** Its part of the status view as last published. */
    List<ResourceDump> publishedDump;
    EnumMap<XdsClientStats.CacheState, Long> publishedCounts;

    TypeState(XdsResourceType<T> type) {
      this.type = type;
    }

    void publish() {
      List<ResourceDump> dump = new ArrayList<>(subscriptions.size());
      EnumMap<XdsClientStats.CacheState, Long> byState = new EnumMap<>(XdsClientStats.CacheState.class);
      for (ResourceSubscription<T> sub : subscriptions.values()) {
        dump.add(sub.dump());
        byState.merge(sub.cacheState(), 1L, Long::sum);
      }
      publishedDump = dump;
      publishedCounts = byState;
    }
  }

  /** A resource a delta server sent before anyone watched it. */
  private record Unsolicited(Message message, ByteString bytes, String version, Instant receivedAt,
      String source) {}

  /** Per server and type: the protocol state of its stream. */
  private static final class StreamTypeState {
    /** The last version accepted from this server: sent again on a new stream so it need not resend. */
    String acceptedVersion = "";
    String nonce = "";
    /**
     * Requests that added names and that no response has answered yet, counting one response per request: while
     * any is outstanding, a response may predate the newest names, so their absence from it proves nothing.
     */
    int unansweredSubscriptions;
  }

  /** The client's side of one {@code xds_servers} entry: its channel, its current stream and its backoff. */
  private final class ServerConnection {
    final int index;
    final XdsServer server;
    final Map<String, StreamTypeState> protocol = new HashMap<>();
    ManagedChannel channel;
    AdsStream stream;
    BackoffPolicy backoff;
    ScheduledHandle reconnectTimer;
    /** The last stream ended without a response (gRFC A57's connectivity failure); cleared by a response. */
    boolean unreachable;
    /**
     * A failed channel is replaced rather than retried: grpc-java's channel keeps its own reconnect backoff, which
     * would stack on ours, and a fresh channel makes exactly one connection attempt per stream attempt.
     */
    boolean replaceChannel;

    ServerConnection(int index, XdsServer server) {
      this.index = index;
      this.server = server;
    }

    StreamTypeState protocol(XdsResourceType<?> type) {
      return protocol.computeIfAbsent(type.typeUrl(), url -> new StreamTypeState());
    }

    void startStream() {
      reconnectTimer = null;
      if (closed || !connections.contains(this)) {
        return;
      }
      if (channel != null && replaceChannel) {
        channel.shutdownNow();
        channel = null;
      }
      replaceChannel = false;
      if (channel == null) {
        channel = channelFactory.create(server);
      }
      stream = server.deltaXds() ? new DeltaStream(this, channel) : new SotwStream(this, channel);
      stream.start();
      types.values().forEach(state -> state.unsolicited.clear()); // a new stream sends them again
      for (TypeState<?> state : types.values()) {
        StreamTypeState p = protocol(state.type);
        p.nonce = "";
        p.unansweredSubscriptions = 0;
        if (!state.subscriptions.isEmpty()) {
          p.unansweredSubscriptions = 1;
          stream.sendRequest(state);
          for (ResourceSubscription<?> sub : state.subscriptions.values()) {
            if (!sub.heardOf()) {
              startFetchTimer(sub);
            }
          }
        }
      }
    }

    void shutdown(String why) {
      if (reconnectTimer != null) {
        reconnectTimer.cancel();
        reconnectTimer = null;
      }
      AdsStream s = stream;
      stream = null;
      if (s != null) {
        s.cancel(why);
      }
      if (channel != null) {
        channel.shutdownNow();
        channel = null;
      }
      stats.serverClosed(server.serverUri());
    }

    DiscoveryRequest.Builder request(TypeState<?> state) {
      StreamTypeState p = protocol(state.type);
      return DiscoveryRequest.newBuilder()
          .setTypeUrl(state.type.typeUrl())
          .addAllResourceNames(state.subscriptions.keySet())
          .setVersionInfo(p.acceptedVersion)
          .setResponseNonce(p.nonce);
    }
  }

  /** One ADS call, state of the world or delta; every event hops onto the context. */
  private abstract class AdsStream {
    final ServerConnection conn;
    final long startNanos = ticker.getAsLong();
    boolean responseReceived;

    AdsStream(ServerConnection conn) {
      this.conn = conn;
    }

    abstract void start();

    /** Tells the server which names of the type are watched now (new ones, or ones no longer watched). */
    abstract void sendRequest(TypeState<?> state);

    /** Accepts the last response of the type. */
    abstract void sendAck(TypeState<?> state);

    /** Rejects the last response of the type. */
    abstract void sendNack(TypeState<?> state, String detail);

    abstract void cancel(String why);

    /** On the context: the first response marks the server healthy. */
    boolean received() {
      if (conn.stream != this || closed) {
        return false;
      }
      if (!responseReceived) {
        responseReceived = true;
        conn.unreachable = false;
        stats.serverHealthy(conn.server.serverUri());
      }
      return true;
    }
  }

  /** A state-of-the-world stream: every request names every watched resource of its type. */
  private final class SotwStream extends AdsStream {
    private final ClientCall<DiscoveryRequest, DiscoveryResponse> call;
    private boolean sentNode;

    SotwStream(ServerConnection conn, ManagedChannel channel) {
      super(conn);
      this.call = channel.newCall(AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod(),
          CallOptions.DEFAULT);
    }

    @Override
    void start() {
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onMessage(DiscoveryResponse message) {
          context.execute(() -> {
            if (received()) {
              onResponse(conn, message);
              if (conn.stream == SotwStream.this) {
                call.request(1);
              }
            }
          });
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
          context.execute(() -> onStreamClosed(conn, SotwStream.this, status));
        }
      }, new Metadata());
      call.request(1);
    }

    @Override
    void sendRequest(TypeState<?> state) {
      send(conn.request(state));
    }

    @Override
    void sendAck(TypeState<?> state) {
      send(conn.request(state));
    }

    @Override
    void sendNack(TypeState<?> state, String detail) {
      send(conn.request(state).setErrorDetail(
          com.google.rpc.Status.newBuilder().setCode(Code.INVALID_ARGUMENT_VALUE).setMessage(detail)));
    }

    private void send(DiscoveryRequest.Builder request) {
      // As gRPC: the node goes on the first request of a stream only.
      if (!sentNode) {
        request.setNode(node);
        sentNode = true;
      }
      call.sendMessage(request.build());
    }

    @Override
    void cancel(String why) {
      call.cancel(why, null);
    }
  }

  /**
   * An incremental (delta) stream: requests carry the names subscribed and unsubscribed since the last one, and an
   * ACK or NACK is a request carrying only the response's nonce (and the error).
   */
  private final class DeltaStream extends AdsStream {
    private final ClientCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse> call;
    /** Per type URL, the names this stream has subscribed. */
    private final Map<String, Set<String>> subscribed = new HashMap<>();
    private boolean sentNode;

    DeltaStream(ServerConnection conn, ManagedChannel channel) {
      super(conn);
      this.call = channel.newCall(AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod(),
          CallOptions.DEFAULT);
    }

    @Override
    void start() {
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onMessage(DeltaDiscoveryResponse message) {
          context.execute(() -> {
            if (received()) {
              onDeltaResponse(conn, message);
              if (conn.stream == DeltaStream.this) {
                call.request(1);
              }
            }
          });
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
          context.execute(() -> onStreamClosed(conn, DeltaStream.this, status));
        }
      }, new Metadata());
      call.request(1);
    }

    @Override
    void sendRequest(TypeState<?> state) {
      Set<String> sent = subscribed.computeIfAbsent(state.type.typeUrl(), url -> new LinkedHashSet<>());
      Set<String> watched = state.subscriptions.keySet();
      List<String> subscribe = new ArrayList<>();
      for (String name : watched) {
        if (!sent.contains(name)) {
          subscribe.add(name);
        }
      }
      List<String> unsubscribe = new ArrayList<>();
      for (String name : sent) {
        if (!watched.contains(name)) {
          unsubscribe.add(name);
        }
      }
      if (subscribe.isEmpty() && unsubscribe.isEmpty()) {
        return;
      }
      sent.addAll(subscribe);
      unsubscribe.forEach(sent::remove);
      send(DeltaDiscoveryRequest.newBuilder().setTypeUrl(state.type.typeUrl())
          .addAllResourceNamesSubscribe(subscribe).addAllResourceNamesUnsubscribe(unsubscribe));
    }

    @Override
    void sendAck(TypeState<?> state) {
      send(DeltaDiscoveryRequest.newBuilder().setTypeUrl(state.type.typeUrl())
          .setResponseNonce(conn.protocol(state.type).nonce));
    }

    @Override
    void sendNack(TypeState<?> state, String detail) {
      send(DeltaDiscoveryRequest.newBuilder().setTypeUrl(state.type.typeUrl())
          .setResponseNonce(conn.protocol(state.type).nonce)
          .setErrorDetail(
              com.google.rpc.Status.newBuilder().setCode(Code.INVALID_ARGUMENT_VALUE).setMessage(detail)));
    }

    private void send(DeltaDiscoveryRequest.Builder request) {
      if (!sentNode) {
        request.setNode(node);
        sentNode = true;
      }
      call.sendMessage(request.build());
    }

    @Override
    void cancel(String why) {
      call.cancel(why, null);
    }
  }

  /** Collects the client's injected parts; everything but the bootstrap and the scheduler has a default. */
  public static final class Builder {
    private final Bootstrap bootstrap;
    private final ScheduledExecutorService scheduler;
    private XdsChannelFactory channelFactory = XdsChannelFactory.standard();
    private Clock clock = Clock.systemUTC();
    private LongSupplier ticker = System::nanoTime;
    private Supplier<BackoffPolicy> backoffPolicies = ExponentialBackoffPolicy.grpcDefaults(new Random());
    private Duration initialFetchTimeout = DEFAULT_INITIAL_FETCH_TIMEOUT;
    private ResourceCache cache = ResourceCache.NONE;
    private Duration cacheWait = DEFAULT_INITIAL_FETCH_TIMEOUT;

    private Builder(Bootstrap bootstrap, ScheduledExecutorService scheduler) {
      this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    public Builder channelFactory(XdsChannelFactory channelFactory) {
      this.channelFactory = Objects.requireNonNull(channelFactory, "channelFactory");
      return this;
    }

    /** The clock for status timestamps. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Monotonic nanoseconds, for backoff arithmetic and outage durations. */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** A new policy per run of failed attempts; gRPC's (1 s, ×1.6, ±20 %, 120 s at most) by default. */
    public Builder backoffPolicy(Supplier<BackoffPolicy> backoffPolicies) {
      this.backoffPolicies = Objects.requireNonNull(backoffPolicies, "backoffPolicies");
      return this;
    }

    public Builder initialFetchTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("initialFetchTimeout must be positive: " + timeout);
      }
      this.initialFetchTimeout = timeout;
      return this;
    }

    /**
     * A cache of accepted resources: written as they are accepted, read when no control plane has answered yet and
     * either every server proved unreachable or {@code wait} has passed since the first subscription.
     */
    public Builder resourceCache(ResourceCache cache, Duration wait) {
      this.cache = Objects.requireNonNull(cache, "cache");
      if (wait.isNegative()) {
        throw new IllegalArgumentException("cache wait must not be negative: " + wait);
      }
      this.cacheWait = wait;
      return this;
    }

    public XdsClient build() {
      return new XdsClient(this);
    }
  }
}

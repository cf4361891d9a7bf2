package io.mesh4j.runtime.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
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
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.bootstrap.Bootstrap;
import io.mesh4j.runtime.bootstrap.XdsServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An xDS client: one ADS stream (state of the world) to the bootstrap's first control plane, per-resource watches,
 * ACK/NACK, and a cache of the last accepted value of every subscribed resource.
 *
 * <p>Semantics, as gRPC's xDS client: a response is checked resource by resource; valid resources are applied even
 * when others in the same response are rejected; the response is ACKed when all are valid, NACKed (previous
 * version, new nonce, {@code error_detail} naming each bad resource and field) otherwise. A rejected resource keeps
 * its last good value. For LDS and CDS, a subscribed name missing from a response does not exist (unless the server
 * has the {@code ignore_resource_deletion} feature and we had a value), and a resource the control plane does not
 * send within the initial fetch timeout of the stream it was requested on does not exist.
 *
 * <p>Unlike grpc-java, a name never seen yet can be concluded absent from an LDS/CDS response, not only at the
 * initial fetch timeout: an HTTP client asks for a listener for every host it calls, and under ALLOW_ANY each host
 * outside the mesh would otherwise stall its first call for the whole timeout (15 s). grpc-java waits because a
 * response may predate the request that named the resource. We count the requests that added names and conclude
 * absence only from a response when every such request has had a response; the remaining case, a push crossing
 * the request, is rare and heals itself, since the control plane answers the request right after and a resource
 * that arrives after being judged absent is delivered as usual. When the stream breaks,
 * watchers are told ({@code onError}) but keep their values; the client reconnects with backoff and asks for every
 * watched resource again, with the versions it accepted.
 *
 * <p>Threading: all state lives on one {@link SynchronizationContext}. {@link #watch} and {@link #cancelWatch} may be
 * called from any thread; watchers are called on the context, one at a time. {@link #status()}, {@link #connected()}
 * and {@link #ignoredFields()} read published immutable values and may be called from anywhere.
 */
public final class XdsClient implements AutoCloseable, ResourceSubscriptions {
  private static final Logger log = LoggerFactory.getLogger(XdsClient.class);

  /** As gRPC: a resource not sent within this long after it was requested does not exist. */
  public static final Duration DEFAULT_INITIAL_FETCH_TIMEOUT = Duration.ofSeconds(15);

  private final XdsServer server;
  private final Node node;
  private final XdsChannelFactory channelFactory;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final Supplier<BackoffPolicy> backoffPolicies;
  private final Duration initialFetchTimeout;
  private final SynchronizationContext context;

  /** Per type URL, in the order types were first watched. */
  private final Map<String, TypeState<?>> types = new LinkedHashMap<>();
  private final Set<String> ignoredFieldsSeen = new LinkedHashSet<>();

  private ManagedChannel channel;
  private AdsStream stream;
  private BackoffPolicy backoff;
  private ScheduledHandle reconnectTimer;
  private boolean closed;
  private boolean outageReported;

  private volatile boolean connected;
  private volatile List<ResourceStatus> publishedStatus = List.of();
  private volatile List<ResourceDump> publishedDump = List.of();
  private volatile List<String> publishedIgnoredFields = List.of();

  private XdsClient(Builder b) {
    this.server = b.bootstrap.server();
    this.node = b.bootstrap.node();
    this.channelFactory = b.channelFactory;
    this.scheduler = b.scheduler;
    this.clock = b.clock;
    this.backoffPolicies = b.backoffPolicies;
    this.initialFetchTimeout = b.initialFetchTimeout;
    this.context =
        new SynchronizationContext((thread, e) -> log.error("xDS client: unexpected error on its context", e));
  }

  private volatile XdsClientEvents events = XdsClientEvents.NONE;

  /** Tells {@code events} of resource updates and server failures from now on (gRFC A78's counters). */
  public void events(XdsClientEvents events) {
    this.events = java.util.Objects.requireNonNull(events, "events");
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
            if (stream == null) {
              if (reconnectTimer == null) {
                startStream();
              }
            } else {
              state.unansweredSubscriptions++;
              stream.sendRequest(state);
              startFetchTimer(sub);
            }
            publishStatus();
          }
          sub.addWatcher(watcher, context);
        });
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
          if (stream != null && !closed) {
            stream.sendRequest(state);
          }
          publishStatus();
        });
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

  /** Whether the ADS stream is established now. */
  public boolean connected() {
    return connected;
  }

  /** Fields the control plane sent that were accepted without acting on them, each once. */
  public List<String> ignoredFields() {
    return publishedIgnoredFields;
  }

  /** The control plane's {@code server_uri}. */
  public String serverUri() {
    return server.serverUri();
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
          if (reconnectTimer != null) {
            reconnectTimer.cancel();
            reconnectTimer = null;
          }
          for (TypeState<?> state : types.values()) {
            state.subscriptions.values().forEach(ResourceSubscription::cancelFetchTimer);
          }
          if (stream != null) {
            stream.cancel("xDS client closed");
            stream = null;
          }
          if (channel != null) {
            channel.shutdownNow();
          }
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

  // ---- stream lifecycle (on the context) ----

  private void startStream() {
    reconnectTimer = null;
    if (closed) {
      return;
    }
    if (channel == null) {
      channel = channelFactory.create(server);
    }
    stream = new AdsStream(channel.newCall(AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod(), CallOptions.DEFAULT));
    stream.start();
    for (TypeState<?> state : types.values()) {
      state.nonce = "";
      state.unansweredSubscriptions = 0;
      if (!state.subscriptions.isEmpty()) {
        state.unansweredSubscriptions = 1;
        stream.sendRequest(state);
        for (ResourceSubscription<?> sub : state.subscriptions.values()) {
          if (!sub.heardOf()) {
            startFetchTimer(sub);
          }
        }
      }
    }
  }

  private void onStreamClosed(AdsStream closedStream, Status status) {
    if (closedStream != stream) {
      return;
    }
    stream = null;
    connected = false;
    for (TypeState<?> state : types.values()) {
      state.subscriptions.values().forEach(ResourceSubscription::cancelFetchTimer);
    }
    if (closed) {
      return;
    }
    if (closedStream.responseReceived) {
      outageReported = false;
    }
    if (!status.isOk() || !closedStream.responseReceived) {
      String detail = "ADS stream to " + server.serverUri() + " closed: " + status.getCode()
          + (status.getDescription() == null ? "" : ": " + status.getDescription());
      if (outageReported) {
        // Tell watchers once per outage, not at every failed attempt.
        log.debug("{}; still reconnecting", detail);
      } else {
        outageReported = true;
        events.serverFailure(server.serverUri());
        log.warn("{}; keeping the last accepted configuration and reconnecting", detail);
        for (TypeState<?> state : types.values()) {
          state.subscriptions.values().forEach(sub -> sub.notifyError(detail));
        }
      }
    }
    long delayNanos;
    if (closedStream.responseReceived || backoff == null) {
      // A stream that got answers was healthy: start the backoff over, as gRPC does.
      backoff = backoffPolicies.get();
      delayNanos = closedStream.responseReceived ? 0 : backoff.nextBackoffNanos();
    } else {
      delayNanos = backoff.nextBackoffNanos();
    }
    reconnectTimer = context.schedule(this::startStream, Math.max(0, delayNanos), TimeUnit.NANOSECONDS, scheduler);
  }

  private void startFetchTimer(ResourceSubscription<?> sub) {
    sub.cancelFetchTimer();
    sub.fetchTimer =
        context.schedule(
            () -> {
              sub.fetchTimer = null;
              log.info("{} resource '{}' not received within {}: does not exist", sub.type.shortName(), sub.name,
                  initialFetchTimeout);
              sub.onDoesNotExist();
              publishStatus();
            },
            initialFetchTimeout.toNanos(),
            TimeUnit.NANOSECONDS,
            scheduler);
  }

  // ---- responses (on the context) ----

  private void onResponse(DiscoveryResponse response) {
    TypeState<?> state = types.get(response.getTypeUrl());
    if (state == null) {
      log.warn("ignoring an xDS response of type {} that was never requested", response.getTypeUrl());
      return;
    }
    handle(state, response);
    publishStatus();
  }

  private <T> void handle(TypeState<T> state, DiscoveryResponse response) {
    XdsResourceType<T> type = state.type;
    state.nonce = response.getNonce();
    Instant now = clock.instant();
    List<String> errors = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    boolean unnamedInvalid = false;
    int valid = 0;
    for (int i = 0; i < response.getResourcesCount(); i++) {
      Any any = response.getResources(i);
      String name = null;
      try {
        if (any.getTypeUrl().equals(RESOURCE_WRAPPER)) {
          Resource wrapper = any.unpack(Resource.class);
          name = wrapper.getName().isEmpty() ? null : wrapper.getName();
          any = wrapper.getResource();
        }
        if (!any.getTypeUrl().equals(type.typeUrl())) {
          throw new ResourceInvalidException(
              "resources[" + i + "]: type URL " + any.getTypeUrl() + ", expected " + type.typeUrl());
        }
        Message message = any.unpack(type.messageClass());
        name = type.name(message);
        seen.add(name);
        List<String> notes = new ArrayList<>();
        T decoded = decode(type, message, notes);
        notes.forEach(this::noteIgnored);
        valid++;
        ResourceSubscription<T> sub = state.subscriptions.get(name);
        if (sub != null) {
          sub.onAccepted(message, decoded, response.getVersionInfo(), now);
        }
      } catch (ResourceInvalidException | InvalidProtocolBufferException e) {
        String detail = type.shortName() + " resource " + (name == null ? "#" + i : "'" + name + "'") + ": "
            + e.getMessage();
        errors.add(detail);
        if (name == null) {
          unnamedInvalid = true;
          continue;
        }
        seen.add(name);
        ResourceSubscription<T> sub = state.subscriptions.get(name);
        if (sub != null) {
          sub.onRejected(detail, now);
        }
      }
    }
    events.resourceUpdates(server.serverUri(), type.typeUrl(), valid, response.getResourcesCount() - valid);
    state.unansweredSubscriptions = Math.max(0, state.unansweredSubscriptions - 1);
    if (type.isFullStateOfTheWorld() && !unnamedInvalid) {
      for (ResourceSubscription<T> sub : List.copyOf(state.subscriptions.values())) {
        if (seen.contains(sub.name)) {
          continue;
        }
        if (sub.fetchTimer != null && state.unansweredSubscriptions > 0) {
          // Not heard of yet, and a later request naming it is still unanswered: this response may predate it.
          continue;
        }
        if (sub.hasValue() && server.ignoreResourceDeletion()) {
          log.warn("{} resource '{}' is gone from the control plane's response; keeping it (ignore_resource_deletion)",
              type.shortName(), sub.name);
          continue;
        }
        sub.onDoesNotExist();
      }
    }
    if (errors.isEmpty()) {
      state.acceptedVersion = response.getVersionInfo();
      stream.sendAck(state);
    } else {
      String detail = String.join("; ", errors);
      log.warn("NACK {} version {}: {}", type.shortName(), response.getVersionInfo(), detail);
      stream.sendNack(state, detail);
    }
  }

  private <T> T decode(XdsResourceType<T> type, Message message, List<String> notes)
      throws ResourceInvalidException {
    try {
      return type.decode(message, notes::add);
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
    List<ResourceStatus> all = new ArrayList<>();
    List<ResourceDump> dump = new ArrayList<>();
    for (TypeState<?> state : types.values()) {
      for (ResourceSubscription<?> sub : state.subscriptions.values()) {
        ResourceDump entry = sub.dump();
        all.add(entry.status());
        dump.add(entry);
      }
    }
    publishedDump = List.copyOf(dump);
    publishedStatus = List.copyOf(all);
  }

  private static final String RESOURCE_WRAPPER = "type.googleapis.com/envoy.service.discovery.v3.Resource";

  /** Per type: the subscriptions, the last accepted version and the last nonce on the current stream. */
  private static final class TypeState<T> {
    final XdsResourceType<T> type;
    final Map<String, ResourceSubscription<T>> subscriptions = new LinkedHashMap<>();
    String acceptedVersion = "";
    String nonce = "";
    /**
     * Requests that added names and that no response has answered yet, counting one response per request: while
     * any is outstanding, a response may predate the newest names, so their absence from it proves nothing.
     */
    int unansweredSubscriptions;

    TypeState(XdsResourceType<T> type) {
      this.type = type;
    }

    DiscoveryRequest.Builder request() {
      return DiscoveryRequest.newBuilder()
          .setTypeUrl(type.typeUrl())
          .addAllResourceNames(subscriptions.keySet())
          .setVersionInfo(acceptedVersion)
          .setResponseNonce(nonce);
    }
  }

  /** One ADS call. Its listener hops every event onto the context. */
  private final class AdsStream extends ClientCall.Listener<DiscoveryResponse> {
    private final ClientCall<DiscoveryRequest, DiscoveryResponse> call;
    private boolean sentNode;
    boolean responseReceived;

    AdsStream(ClientCall<DiscoveryRequest, DiscoveryResponse> call) {
      this.call = call;
    }

    void start() {
      call.start(this, new Metadata());
      call.request(1);
    }

    void sendRequest(TypeState<?> state) {
      send(state.request());
    }

    void sendAck(TypeState<?> state) {
      send(state.request());
    }

    void sendNack(TypeState<?> state, String detail) {
      send(
          state
              .request()
              .setErrorDetail(
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

    void cancel(String why) {
      call.cancel(why, null);
    }

    @Override
    public void onHeaders(Metadata headers) {
      context.execute(
          () -> {
            if (stream == this) {
              connected = true;
            }
          });
    }

    @Override
    public void onMessage(DiscoveryResponse message) {
      context.execute(
          () -> {
            if (stream != this || closed) {
              return;
            }
            responseReceived = true;
            connected = true;
            onResponse(message);
            call.request(1);
          });
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      context.execute(() -> onStreamClosed(this, status));
    }
  }

  /** Collects the client's injected parts; everything but the bootstrap and the scheduler has a default. */
  public static final class Builder {
    private final Bootstrap bootstrap;
    private final ScheduledExecutorService scheduler;
    private XdsChannelFactory channelFactory = XdsChannelFactory.standard();
    private Clock clock = Clock.systemUTC();
    private Supplier<BackoffPolicy> backoffPolicies = ExponentialBackoffPolicy.grpcDefaults(new Random());
    private Duration initialFetchTimeout = DEFAULT_INITIAL_FETCH_TIMEOUT;

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

    public XdsClient build() {
      return new XdsClient(this);
    }
  }
}

package io.mesh4j.runtime.server;

import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.InboundChain;
import io.mesh4j.runtime.inbound.InboundPort;
import io.mesh4j.runtime.inbound.ServerTls;
import io.mesh4j.runtime.listener.FilterChainMatch;
import io.mesh4j.runtime.listener.FilterChainSelector;
import io.mesh4j.runtime.listener.ListenerResource;
import io.mesh4j.runtime.listener.ServerFilterChain;
import io.mesh4j.runtime.listener.ServerListenerResource;
import io.mesh4j.runtime.model.DownstreamTlsConfig;
import io.mesh4j.runtime.route.RouteTable;
import io.mesh4j.runtime.security.MaterialUnavailableException;
import io.mesh4j.runtime.xds.ResourceWatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One served port: watches its server listener and the route configurations its chains fetch by RDS, and publishes
 * an immutable {@link Snapshot} that connections read without locks.
 *
 * <p>A listener replaces the one serving only once every route configuration it names has been heard of (present,
 * or known absent: that chain then answers 404), as the client side does. A listener the control plane removes, or
 * sends in a form we NACK, leaves the last good one serving (the xDS client NACKs and keeps it; a removal is logged).
 * Callbacks come from the xDS client, one at a time; the lock only orders them against {@link #close()}.
 */
final class ServerListenerPort implements InboundPort {
  private static final Logger log = LoggerFactory.getLogger(ServerListenerPort.class);

  /** What a connection reads: the listener and its chains, ready to select. */
  record Snapshot(ServerListenerResource listener, FilterChainSelector<HcmChain> selector,
      Set<DownstreamTlsConfig> tls) {}

  private final int port;
  private final String resourceName;
  private final MeshInboundPorts owner;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final ListenerWatcher listenerWatcher = new ListenerWatcher();
  private volatile Snapshot snapshot;

  // Guarded by this.
  private ServerListenerResource pending;
  private final Map<String, RdsWatch> rds = new HashMap<>();
  private boolean closed;

  ServerListenerPort(int port, String resourceName, MeshInboundPorts owner) {
    this.port = port;
    this.resourceName = resourceName;
    this.owner = owner;
  }

  void start() {
    owner.xds().watch(owner.listenerType(), resourceName, listenerWatcher);
  }

  @Override
  public int port() {
    return port;
  }

  /** The server listener's resource name, as subscribed. */
  String resourceName() {
    return resourceName;
  }

  @Override
  public CompletionStage<Void> ready() {
    return ready.copy();
  }

  @Override
  public InboundChain chainFor(ConnectionFacts facts) {
    Snapshot current = snapshot;
    return current == null ? null : current.selector().select(facts);
  }

  /** The serving snapshot, or null before the first listener; for tests and the status view. */
  Snapshot snapshot() {
    return snapshot;
  }

  /** The TLS configs this port serves with or is about to. */
  synchronized Set<DownstreamTlsConfig> tlsInUse() {
    Set<DownstreamTlsConfig> inUse = new HashSet<>();
    Snapshot current = snapshot;
    if (current != null) {
      inUse.addAll(current.tls());
    }
    if (pending != null) {
      inUse.addAll(tlsOf(pending));
    }
    return inUse;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      owner.xds().cancelWatch(owner.listenerType(), resourceName, listenerWatcher);
      rds.forEach((name, watch) -> owner.xds().cancelWatch(owner.routeType(), name, watch));
      rds.clear();
      pending = null;
    }
    owner.closed(this);
  }

  private synchronized boolean listenerChanged(ListenerResource value) {
    if (closed) {
      return false;
    }
    if (!value.isServer()) {
      log.warn("server listener '{}' is an api_listener; the last good server listener keeps serving",
          resourceName);
      return false;
    }
    pending = value.server();
    Set<String> wanted = pending.rdsRouteConfigNames();
    for (String name : wanted) {
      if (!rds.containsKey(name)) {
        RdsWatch watch = new RdsWatch(name);
        rds.put(name, watch);
        owner.xds().watch(owner.routeType(), name, watch);
      }
    }
    rds.entrySet().removeIf(entry -> {
      if (wanted.contains(entry.getKey())) {
        return false;
      }
      owner.xds().cancelWatch(owner.routeType(), entry.getKey(), entry.getValue());
      return true;
    });
    return tryPublish();
  }

  private synchronized boolean routesChanged() {
    return !closed && tryPublish();
  }

  /** Publishes the pending listener once every route configuration it names has been heard of. */
  private boolean tryPublish() {
    ServerListenerResource listener = pending;
    if (listener == null) {
      return false;
    }
    for (String name : listener.rdsRouteConfigNames()) {
      RdsWatch watch = rds.get(name);
      if (watch == null || watch.state == RdsWatch.State.PENDING) {
        return false;
      }
    }
    List<FilterChainMatch> matches = new ArrayList<>();
    List<HcmChain> chains = new ArrayList<>();
    HcmChain defaultChain;
    try {
      for (int i = 0; i < listener.filterChains().size(); i++) {
        ServerFilterChain chain = listener.filterChains().get(i);
        matches.add(chain.match());
        chains.add(build(chain, "filter_chains[" + i + "]"));
      }
      defaultChain = listener.defaultFilterChain() == null ? null
          : build(listener.defaultFilterChain(), "default_filter_chain");
    } catch (MaterialUnavailableException e) {
      log.error("server listener '{}': cannot build its TLS, the last good listener keeps serving: {}",
          resourceName, e.getMessage());
      return false;
    }
    boolean first = snapshot == null;
    snapshot = new Snapshot(listener, FilterChainSelector.of(matches, chains, defaultChain), tlsOf(listener));
    log.info("server listener '{}' serving port {} with {} filter chain(s){}", resourceName, port, chains.size(),
        defaultChain == null ? "" : " and a default chain");
    if (first) {
      ready.complete(null);
    }
    return true;
  }

  private HcmChain build(ServerFilterChain chain, String where) throws MaterialUnavailableException {
    ServerTls tls = chain.tls() == null ? null : owner.security().downstream(chain.tls());
    RouteTable table = chain.hcm().inlineRouteTable();
    String missing = null;
    if (table == null) {
      String name = chain.hcm().rdsRouteConfigName();
      table = rds.get(name).value;
      if (table == null) {
        missing = "NR: route configuration '" + name + "' does not exist";
      }
    }
    String name = chain.name().isEmpty() ? where : chain.name();
    return new HcmChain(name, tls, table, missing, chain.hcm().httpFilters());
  }

  private static Set<DownstreamTlsConfig> tlsOf(ServerListenerResource listener) {
    Set<DownstreamTlsConfig> tls = new HashSet<>();
    for (ServerFilterChain chain : listener.filterChains()) {
      if (chain.tls() != null) {
        tls.add(chain.tls());
      }
    }
    if (listener.defaultFilterChain() != null && listener.defaultFilterChain().tls() != null) {
      tls.add(listener.defaultFilterChain().tls());
    }
    return tls;
  }

  private final class ListenerWatcher implements ResourceWatcher<ListenerResource> {
    @Override
    public void onChanged(ListenerResource value) {
      if (listenerChanged(value)) {
        owner.published();
      }
    }

    @Override
    public void onResourceDoesNotExist(String name) {
      // Kept, like a NACKed one: a server that stopped serving would refuse every connection.
      log.warn("server listener '{}' does not exist{}", name,
          snapshot == null ? "; port " + port + " does not serve mesh traffic until it does"
              : "; the last good one keeps serving");
    }

    @Override
    public void onError(String detail) {
      // The xDS client NACKed it or lost the stream; the last good listener keeps serving.
    }
  }

  private final class RdsWatch implements ResourceWatcher<RouteTable> {
    enum State { PENDING, PRESENT, ABSENT }

    private final String name;
    private State state = State.PENDING;
    private RouteTable value;

    RdsWatch(String name) {
      this.name = name;
    }

    @Override
    public void onChanged(RouteTable table) {
      synchronized (ServerListenerPort.this) {
        state = State.PRESENT;
        value = table;
      }
      if (routesChanged()) {
        owner.published();
      }
    }

    @Override
    public void onResourceDoesNotExist(String resourceName) {
      synchronized (ServerListenerPort.this) {
        state = State.ABSENT;
        value = null;
      }
      log.warn("route configuration '{}' of server listener '{}' does not exist", name, ServerListenerPort.this
          .resourceName);
      if (routesChanged()) {
        owner.published();
      }
    }

    @Override
    public void onError(String detail) {
      // The last good route configuration keeps serving.
    }
  }
}

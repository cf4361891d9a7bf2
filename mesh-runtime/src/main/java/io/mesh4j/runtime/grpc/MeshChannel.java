package io.mesh4j.runtime.grpc;

import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.MeshTlsHandshakeException;
import io.mesh4j.runtime.engine.MeshEngine;
import io.mesh4j.runtime.metrics.OutboundMetrics;
import io.mesh4j.runtime.engine.RouteStep;
import io.mesh4j.runtime.engine.RoutingDecision;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.security.MeshSecurity;
import io.mesh4j.runtime.security.UpstreamTls;
import io.mesh4j.runtime.model.LbEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A channel to one mesh target ({@code host:port}, the listener name) whose every call is routed by the shared
 * {@link MeshEngine}: route, cluster and endpoint are chosen per call from the call's full method name and metadata,
 * and the call runs on a plain channel to that endpoint. Endpoint channels are created on first use and cached by
 * address ({@link EndpointChannels}), so a connection is reused by every call the mesh sends there; a channel whose
 * endpoint leaves the config is shut down, and {@link io.mesh4j.Mesh#close()} shuts down every one.
 *
 * <p>Targets the control plane does not know go to a direct channel to the target itself, under the mesh's
 * outbound traffic policy. Routing state lives in the engine's snapshot only; this class holds no copy of it.
 */
public final class MeshChannel extends ManagedChannel {
  private final MeshEngine engine;
  private final String target;
  private final Executor callbackExecutor;
  private final PolicyEnvironment env;
  private final TlsEndpointChannels tlsChannels;
  private final MeshSecurity security;
  private final Duration materialWait;
  /** By endpoint address and TLS context ({@code null} for plaintext): one channel per (endpoint, identity). */
  private final EndpointChannels channels;
  /** Tells {@link #channels} of new configs and of the mesh's close, until this channel is shut down. */
  private final AutoCloseable configUpdates;

  /**
   * Opens a channel to an endpoint address with TLS {@code credentials} and {@code authority} as the channel's
   * authority, which is the TLS server name (SNI) it sends: the cluster's {@code sni} when it has one (calls then
   * carry the target as their {@code :authority}), else the target.
   */
  @FunctionalInterface
  public interface TlsEndpointChannels {
    ManagedChannel open(String address, ChannelCredentials credentials, String authority);
  }
  private volatile boolean shutdown;

  /**
   * @param target the mesh target, {@code host:port}; it is the listener name and the authority every endpoint sees
   * @param endpointChannels opens a channel to an endpoint address ({@code host:port}) with {@code target} as its
   *     authority; called once per address
   * @param callbackExecutor where a call the mesh refuses is closed when the call has no executor of its own
   */
  public MeshChannel(
      MeshEngine engine, String target, Function<String, ManagedChannel> endpointChannels, Executor callbackExecutor) {
    this(engine, target, endpointChannels, callbackExecutor, PolicyEnvironment.system());
  }

  /** @param env clock, random and timers for deadlines, per-try timeouts and retry back-off */
  public MeshChannel(MeshEngine engine, String target, Function<String, ManagedChannel> endpointChannels,
      Executor callbackExecutor, PolicyEnvironment env) {
    this(engine, target, endpointChannels, null, null, Duration.ZERO, callbackExecutor, env);
  }

  /**
   * As above, and clusters with an {@code UpstreamTlsContext} get TLS channels from {@code tlsChannels}, with the
   * cluster's rotating key and trust managers from {@code security}; a call waits (without holding a thread) up to
   * {@code materialWait} for material that is not loaded yet.
   */
  public MeshChannel(MeshEngine engine, String target, Function<String, ManagedChannel> endpointChannels,
      TlsEndpointChannels tlsChannels, MeshSecurity security, Duration materialWait, Executor callbackExecutor) {
    this(engine, target, endpointChannels, Objects.requireNonNull(tlsChannels, "tlsChannels"), security, materialWait,
        callbackExecutor, PolicyEnvironment.system());
  }

  /** All of the above; {@code tlsChannels} may be null, then TLS clusters are refused. */
  public MeshChannel(MeshEngine engine, String target, Function<String, ManagedChannel> endpointChannels,
      TlsEndpointChannels tlsChannels, MeshSecurity security, Duration materialWait, Executor callbackExecutor,
      PolicyEnvironment env) {
    this.env = Objects.requireNonNull(env, "env");
    this.engine = Objects.requireNonNull(engine, "engine");
    this.target = Objects.requireNonNull(target, "target");
    this.callbackExecutor = Objects.requireNonNull(callbackExecutor, "callbackExecutor");
    this.tlsChannels = tlsChannels;
    this.security = security;
    this.materialWait = Objects.requireNonNull(materialWait, "materialWait");
    this.channels = new EndpointChannels(target, Objects.requireNonNull(endpointChannels, "endpointChannels"),
        tlsChannels, env.scheduler());
    this.configUpdates = engine.listen(channels);
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(MethodDescriptor<ReqT, RespT> method, CallOptions options) {
    return new MeshClientCall<>(this, method, options, callbackExecutor);
  }

  /** The request as routing sees it: authority (the call's, else the target), full method name and metadata. */
  GrpcRequestView requestView(String fullMethodName, CallOptions options, Metadata headers) {
    String authority = options.getAuthority() != null ? options.getAuthority() : target;
    return new GrpcRequestView(authority, fullMethodName, headers);
  }

  /** Routes one call without waiting (see {@link MeshEngine#routeStep}). */
  RouteStep route(GrpcRequestView view) throws MeshRoutingException {
    if (isShutdown()) {
      throw new MeshRoutingException(Reason.MESH_CLOSED, "the channel to " + target + " was shut down");
    }
    return engine.routeStep(target, view);
  }

  /**
   * The TLS context of a forwarding decision's cluster, {@code null} for plaintext; its material may still be
   * loading ({@link UpstreamTls#whenReady()}, waited for at most {@link #materialWait()}).
   */
  UpstreamTls upstreamTls(RoutingDecision decision) throws MeshTlsHandshakeException {
    if (decision.cluster().cluster().tls() == null) {
      return null;
    }
    return GrpcUpstreamTls.context(decision.cluster(), decision.endpoint(), security, tlsChannels != null);
  }

  Duration materialWait() {
    return materialWait;
  }

  /** A call to the target itself, for targets the mesh passes through. */
  <ReqT, RespT> ClientCall<ReqT, RespT> directCall(MethodDescriptor<ReqT, RespT> method, CallOptions options) {
    return channels.channelTo(target, null).newCall(method, options);
  }

  /** One attempt of a routed call, on the endpoint's cached channel (a TLS one when {@code tls} is set). */
  <ReqT, RespT> ClientCall<ReqT, RespT> endpointCall(
      LbEndpoint endpoint, UpstreamTls tls, MethodDescriptor<ReqT, RespT> method, CallOptions options) {
    CallOptions attemptOptions = options;
    if (tls != null && !tls.config().sni().isEmpty() && options.getAuthority() == null) {
      // The channel's authority is the SNI: the call still names the target, as the application wrote it.
      attemptOptions = options.withAuthority(target);
    }
    return channels.channelTo(endpoint, tls).newCall(method, attemptOptions);
  }

  PolicyEnvironment environment() {
    return env;
  }

  /** The addresses this channel has open channels to, for tests and diagnostics. */
  public List<String> endpointAddresses() {
    return channels.addresses();
  }

  /** How many endpoint channels are cached, for tests that check the cache follows the config. */
  public int endpointChannelCount() {
    return channels.channelCount();
  }

  @Override
  public String authority() {
    return target;
  }

  @Override
  public ManagedChannel shutdown() {
    shutdown = true;
    stopConfigUpdates();
    channels.shutdown();
    return this;
  }

  @Override
  public ManagedChannel shutdownNow() {
    shutdown = true;
    stopConfigUpdates();
    channels.shutdownNow();
    return this;
  }

  private void stopConfigUpdates() {
    try {
      configUpdates.close();
    } catch (Exception e) {
      throw new IllegalStateException("unregistering from config updates cannot fail", e);
    }
  }

  /** Shut down by {@link #shutdown()}, or by the mesh's close. */
  @Override
  public boolean isShutdown() {
    return shutdown || channels.isClosed();
  }

  @Override
  public boolean isTerminated() {
    return isShutdown() && channels.terminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return channels.awaitTermination(System.nanoTime() + unit.toNanos(timeout)) && isTerminated();
  }

  @Override
  public String toString() {
    return "MeshChannel{" + target + ", endpoints=" + channels + "}";
  }

  /** Where calls are recorded, or null when metrics are off. */
  OutboundMetrics metrics() {
    return engine.metrics();
  }
}

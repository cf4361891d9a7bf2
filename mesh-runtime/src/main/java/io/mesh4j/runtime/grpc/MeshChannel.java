package io.mesh4j.runtime.grpc;

import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.engine.MeshEngine;
import io.mesh4j.runtime.engine.RoutingDecision;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.security.MeshSecurity;
import io.mesh4j.runtime.security.UpstreamTls;
import io.mesh4j.runtime.xds.resource.LbEndpoint;
import java.time.Duration;
import java.io.InterruptedIOException;
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

  /** Opens a channel to an endpoint address with TLS {@code credentials} and the target as its authority. */
  @FunctionalInterface
  public interface TlsEndpointChannels {
    ManagedChannel open(String address, ChannelCredentials credentials);
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
   * cluster's rotating key and trust managers from {@code security}; a call waits up to {@code materialWait} for
   * material that is not loaded yet.
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

  /**
   * Where one call goes: the engine's decision ({@code null} for pass-through, then {@code channel} is the direct
   * one), the request as routing saw it, and the cluster's TLS context ({@code null} for plaintext).
   */
  record Selection(Channel channel, RoutingDecision decision, GrpcRequestView request, UpstreamTls tls) {}

  /** Routes one call; a decision with a local reply (a fault abort) has no channel. */
  Selection select(String fullMethodName, CallOptions options, Metadata headers)
      throws MeshRoutingException, InterruptedIOException {
    if (isShutdown()) {
      throw new MeshRoutingException(Reason.MESH_CLOSED, "the channel to " + target + " was shut down");
    }
    String authority = options.getAuthority() != null ? options.getAuthority() : target;
    GrpcRequestView view = new GrpcRequestView(authority, fullMethodName, headers);
    RoutingDecision decision = engine.route(target, view);
    if (decision == null) {
      return new Selection(channels.channelTo(target, null), null, view, null);
    }
    UpstreamTls tls = null;
    if (decision.localReply() == null && decision.cluster().cluster().tls() != null) {
      try {
        tls = GrpcUpstreamTls.resolve(
            decision.cluster(), decision.endpoint(), security, tlsChannels != null, materialWait);
      } catch (MeshRoutingException | InterruptedIOException e) {
        // The call will not start: give back what routing took.
        decision.lease().release();
        decision.complete();
        throw e;
      }
    }
    return new Selection(null, decision, view, tls);
  }

  /** One attempt of a routed call, on the endpoint's cached channel (a TLS one when {@code tls} is set). */
  <ReqT, RespT> ClientCall<ReqT, RespT> endpointCall(
      LbEndpoint endpoint, UpstreamTls tls, MethodDescriptor<ReqT, RespT> method, CallOptions options) {
    return channels.channelTo(endpoint.hostPort(), tls).newCall(method, options);
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
}

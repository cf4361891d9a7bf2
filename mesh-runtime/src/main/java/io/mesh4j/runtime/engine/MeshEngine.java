package io.mesh4j.runtime.engine;

import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.cluster.EndpointLease;
import io.mesh4j.runtime.config.ConfigAssembler;
import io.mesh4j.runtime.config.SnapshotListener;
import io.mesh4j.runtime.config.TargetConfig;
import io.mesh4j.runtime.filter.fault.FaultInjector;
import io.mesh4j.runtime.filter.fault.InjectedFault;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.route.RequestHash;
import io.mesh4j.runtime.route.RequestShaping;
import io.mesh4j.runtime.route.RequestView;
import io.mesh4j.runtime.route.Route;
import io.mesh4j.runtime.xds.resource.LbEndpoint;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The one place a request is routed, whatever its transport: target, then virtual host and route, then cluster,
 * then endpoint. Reads the current snapshot without locks; only the first request to a new target waits, bounded,
 * for the control plane's answer.
 */
public final class MeshEngine {
  private final ConfigAssembler assembler;
  private final OutboundTrafficPolicy outboundPolicy;
  private final long listenerWaitNanos;
  private final LongSupplier random;
  private final RequestPolicies policies;
  private final String sourceAddress;
  private volatile boolean closed;

  /**
   * @param random draws one non-negative number per request, for weighted cluster choice
   */
  public MeshEngine(
      ConfigAssembler assembler, OutboundTrafficPolicy outboundPolicy, Duration listenerWait, LongSupplier random) {
    this(assembler, outboundPolicy, listenerWait, random, PolicyEnvironment.system());
  }

  /**
   * @param random draws non-negative numbers: one per request (weighted cluster choice) and one per fault percentage
   * @param environment the policies' time: its sleeper waits out injected fault delays, as it does retry back-offs
   */
  public MeshEngine(
      ConfigAssembler assembler,
      OutboundTrafficPolicy outboundPolicy,
      Duration listenerWait,
      LongSupplier random,
      PolicyEnvironment environment) {
    this(assembler, outboundPolicy, listenerWait, random, environment, null);
  }

  /**
   * @param sourceAddress this instance's address, which {@code hash_policy} {@code connection_properties.source_ip}
   *     hashes (a sidecar sees it as the downstream address); without it such a policy contributes no hash
   */
  public MeshEngine(
      ConfigAssembler assembler,
      OutboundTrafficPolicy outboundPolicy,
      Duration listenerWait,
      LongSupplier random,
      PolicyEnvironment environment,
      String sourceAddress) {
    this.sourceAddress = sourceAddress;
    this.policies = new RequestPolicies(new FaultInjector(random), Objects.requireNonNull(environment, "environment"));
    this.assembler = Objects.requireNonNull(assembler, "assembler");
    this.outboundPolicy = Objects.requireNonNull(outboundPolicy, "outboundPolicy");
    this.listenerWaitNanos = listenerWait.toNanos();
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * Routes one request to {@code target} ({@code host:port}, the listener name).
   *
   * @return the decision, or {@code null} when the target is not in the mesh and may be called directly
   * @throws MeshRoutingException when the mesh refuses or cannot route the request, with Envoy's reason
   * @throws InterruptedIOException when interrupted while waiting for the control plane's first answer
   */
  public RoutingDecision route(String target, RequestView request) throws MeshRoutingException, InterruptedIOException {
    // (A decision may be a local reply; one that forwards may carry an injected fault the transport must release.)
    if (closed) {
      throw new MeshRoutingException(Reason.MESH_CLOSED, "the mesh was closed");
    }
    TargetConfig config = assembler.snapshot().target(target);
    if (config == null) {
      config = awaitFirstConfig(target);
    }
    if (config instanceof TargetConfig.Routed routed) {
      return route(routed, request);
    }
    if (config instanceof TargetConfig.Unroutable unroutable) {
      throw new MeshRoutingException(Reason.NO_ROUTE, target + ": " + unroutable.reason());
    }
    if (outboundPolicy == OutboundTrafficPolicy.REGISTRY_ONLY) {
      throw new MeshRoutingException(
          Reason.NOT_IN_MESH, target + " is not in the mesh and the outbound traffic policy is REGISTRY_ONLY");
    }
    return null;
  }

  /**
   * For requests the mesh does not route (the application's own TLS): refuses them under REGISTRY_ONLY unless the
   * target is in the mesh.
   */
  public void checkDirectAllowed(String target) throws MeshRoutingException, InterruptedIOException {
    if (outboundPolicy != OutboundTrafficPolicy.REGISTRY_ONLY) {
      return;
    }
    TargetConfig config = assembler.snapshot().target(target);
    if (config == null) {
      config = awaitFirstConfig(target);
    }
    if (config instanceof TargetConfig.NotInMesh) {
      throw new MeshRoutingException(
          Reason.NOT_IN_MESH, target + " is not in the mesh and the outbound traffic policy is REGISTRY_ONLY");
    }
  }

  /**
   * Tells {@code listener} of every config the engine routes by from now on, and of the mesh's close, so what a
   * transport holds for endpoints and clusters that left (channels, TLS contexts) can be released. The handle stops
   * that.
   */
  public AutoCloseable listen(SnapshotListener listener) {
    return assembler.listen(listener);
  }

  /** Stops routing: every later request fails with {@link Reason#MESH_CLOSED}. */
  public void close() {
    closed = true;
  }

  private RoutingDecision route(TargetConfig.Routed config, RequestView request)
      throws MeshRoutingException, InterruptedIOException {
    // One draw per request serves runtime_fraction matching and the weighted cluster choice, as in Envoy.
    long draw = random.getAsLong();
    Route route = config.routes().select(request, draw);
    if (route == null) {
      throw new MeshRoutingException(
          Reason.NO_ROUTE,
          config.target() + ": no route matches authority '" + request.authority() + "' path '" + request.path() + "'");
    }
    String clusterName = route.action().selectCluster(draw, request);
    // The HTTP filters (fault injection) run before the router, so before redirects and cluster lookup.
    InjectedFault fault = policies.evaluateFilters(config.httpFilters(), route, draw, clusterName, request);
    boolean handedOver = false;
    try {
      long delayed = fault != null && fault.delayNanos() > 0 ? policies.delay(config.target(), fault, route) : 0;
      if (fault != null && fault.abort() != null) {
        return RoutingDecision.reply(config.target(), route, delayed, RequestPolicies.abort(fault.abort()));
      }
      LocalReply answer = RequestPolicies.answer(route, request);
      if (answer != null) {
        return RoutingDecision.reply(config.target(), route, delayed, answer);
      }
      // cluster_header names clusters only at request time: those the table's other routes bring are known,
      // any other one is NO_CLUSTER (see README).
      ClusterRuntime cluster = clusterName == null ? null : config.clusters().get(clusterName);
      if (cluster == null) {
        throw new MeshRoutingException(Reason.NO_CLUSTER, config.target() + ": "
            + (clusterName == null ? "the request names no cluster" : "cluster '" + clusterName + "' does not exist"));
      }
      // hash_policy gives the request hash that ring hash and maglev pick by (Envoy's HashPolicyImpl).
      RequestHash hash = route.hashPolicy().isEmpty()
          ? RequestHash.NONE
          : route.hashPolicy().evaluate(request, random, sourceAddress);
      EndpointLease lease = cluster.acquire(hash.present(), hash.value());
      if (lease == null) {
        throw new MeshRoutingException(
            Reason.NO_HEALTHY_UPSTREAM, config.target() + ": cluster '" + clusterName + "' has no healthy endpoint");
      }
      LbEndpoint endpoint = lease.endpoint();
      RequestShaping shaping = route.shaping();
      String path = shaping.pathRewrite() == null ? null : shaping.pathRewrite().apply(request.path());
      String host = shaping.hostRewrite() == null ? null : shaping.hostRewrite().apply(request, endpoint.host());
      handedOver = true;
      return new RoutingDecision(config.target(), route, cluster, endpoint, lease, hash.setCookie(), path, host, fault,
          delayed, null, config.maxStreamDuration());
    } finally {
      if (fault != null && !handedOver) {
        fault.release();
      }
    }
  }

  private TargetConfig awaitFirstConfig(String target) throws MeshRoutingException, InterruptedIOException {
    try {
      return assembler.subscribe(target).get(listenerWaitNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new MeshRoutingException(
          Reason.NO_LISTENER,
          target + ": the control plane did not answer within " + Duration.ofNanos(listenerWaitNanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted = new InterruptedIOException("interrupted waiting for the mesh config of " + target);
      interrupted.initCause(e);
      throw interrupted;
    } catch (ExecutionException e) {
      throw new IllegalStateException("the assembler's future never fails", e);
    }
  }
}

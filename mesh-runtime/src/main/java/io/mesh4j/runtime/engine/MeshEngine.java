package io.mesh4j.runtime.engine;

import io.mesh4j.MeshRoutingException.Reason;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.cluster.EndpointLease;
import io.mesh4j.runtime.config.ClusterTarget;
import io.mesh4j.runtime.config.ConfigAssembler;
import io.mesh4j.runtime.config.SnapshotListener;
import io.mesh4j.runtime.config.TargetConfig;
import io.mesh4j.runtime.filter.fault.FaultInjector;
import io.mesh4j.runtime.filter.fault.InjectedFault;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.policy.RoutePolicy;
import io.mesh4j.runtime.policy.Sleeper;
import io.mesh4j.runtime.route.RequestHash;
import io.mesh4j.runtime.route.RequestShaping;
import io.mesh4j.runtime.view.RequestView;
import io.mesh4j.runtime.route.Route;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.metrics.OutboundMetrics;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
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
  private final PolicyEnvironment environment;
  private volatile boolean closed;
  /** Null unless the application asked for metrics: a request then notes nothing. */
  private volatile OutboundMetrics metrics;

  /**
   * @param random draws one non-negative number per request, for weighted cluster choice
   */
  public MeshEngine(
      ConfigAssembler assembler, OutboundTrafficPolicy outboundPolicy, Duration listenerWait, LongSupplier random) {
    this(assembler, outboundPolicy, listenerWait, random, PolicyEnvironment.system());
  }

  /**
   * @param random draws non-negative numbers: one per request (weighted cluster choice) and one per fault percentage
   * @param environment the policies' time: its sleeper waits out injected fault delays in {@link #route} (blocking
   *     callers), as it does retry back-offs; {@link #routeStep} leaves the wait to the transport
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
    this.environment = Objects.requireNonNull(environment, "environment");
    this.policies = new RequestPolicies(new FaultInjector(random));
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
    return route(target, request, environment.sleeper());
  }

  /**
   * {@link #route(String, RequestView)} with the transport's own wait for an injected fault delay: one that ends
   * early, by throwing, when the caller's deadline passes or the call is cancelled.
   *
   * @param faultDelayWait waits out a fault delay on the calling thread
   */
  public RoutingDecision route(String target, RequestView request, Sleeper faultDelayWait)
      throws MeshRoutingException, InterruptedIOException {
    // (A decision may be a local reply; one that forwards may carry an injected fault the transport must release.)
    RouteStep step = routeStep(target, request);
    if (step instanceof RouteStep.AwaitConfig) {
      step = stepFor(awaitFirstConfig(target), request);
    }
    if (step instanceof FaultDelay delay) {
      // A blocking client waits on its own thread (by default the injected sleeper, as for the retry back-off).
      boolean timesOut = delay.reachesRouteTimeout();
      try {
        faultDelayWait.sleep(delay.waitNanos());
      } catch (InterruptedIOException e) {
        delay.abandon();
        throw e;
      }
      if (timesOut) {
        throw delay.routeTimedOut();
      }
      return delay.resume();
    }
    return step instanceof RoutingDecision decision ? decision : null;
  }

  /**
   * Routes one request to {@code target} without ever waiting: the decision, {@link RouteStep.PassThrough}, the
   * control plane's first answer to wait for ({@link RouteStep.AwaitConfig}: route again once it is there), or an
   * injected {@link FaultDelay} to wait out. For transports that wait on timers rather than threads.
   *
   * @throws MeshRoutingException when the mesh refuses or cannot route the request, with Envoy's reason
   */
  public RouteStep routeStep(String target, RequestView request) throws MeshRoutingException {
    if (closed) {
      throw new MeshRoutingException(Reason.MESH_CLOSED, "the mesh was closed");
    }
    TargetConfig config = assembler.snapshot().target(target);
    if (config == null) {
      CompletableFuture<TargetConfig> first = assembler.subscribe(target);
      if (!first.isDone()) {
        return new RouteStep.AwaitConfig(target, first, listenerWaitNanos);
      }
      config = first.join();
    }
    return stepFor(config, request);
  }

  private RouteStep stepFor(TargetConfig config, RequestView request) throws MeshRoutingException {
    String target = config.target();
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
    return RouteStep.PassThrough.INSTANCE;
  }

  /**
   * Routes one request to the cluster {@code clusterName} by name, not through a route table: Envoy's
   * {@code http_uri.cluster} (jwt_authn's JWKS fetch). The cluster is resolved over CDS and EDS like any other
   * (followed by itself if no route names it), and the request gets its load balancing, circuit breakers and TLS;
   * the route is {@link Route#toCluster}: {@code timeout} for the whole exchange, no retries, no rewrites. The first
   * request to a cluster waits for the control plane's answer, at most the listener wait or {@code timeout}.
   *
   * @throws MeshRoutingException {@code NO_CLUSTER} when the control plane says the cluster does not exist or has not
   *     answered in time, {@code NO_HEALTHY_UPSTREAM} when it has no endpoint to send to
   * @throws InterruptedIOException when interrupted while waiting for the control plane's first answer
   */
  public RoutingDecision routeToCluster(String clusterName, RequestView request, Duration timeout)
      throws MeshRoutingException, InterruptedIOException {
    if (closed) {
      throw new MeshRoutingException(Reason.MESH_CLOSED, "the mesh was closed");
    }
    ClusterTarget target = assembler.snapshot().clusterTarget(clusterName);
    if (target == null) {
      target = awaitFirstClusterConfig(clusterName, Math.min(listenerWaitNanos, timeout.toNanos()));
    }
    if (!target.exists()) {
      throw new MeshRoutingException(Reason.NO_CLUSTER, "cluster '" + clusterName + "' does not exist");
    }
    ClusterRuntime cluster = target.runtime();
    EndpointLease lease = cluster.acquire(false, 0);
    if (lease == null) {
      throw new MeshRoutingException(
          Reason.NO_HEALTHY_UPSTREAM, "cluster '" + clusterName + "' has no healthy endpoint");
    }
    Route route = Route.toCluster(clusterName, new RoutePolicy(timeout.toNanos(), 0, -1, null, false));
    return new RoutingDecision(clusterName, route, cluster, lease.endpoint(), lease, null, null, null, null, 0, null,
        null);
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

  /** Records every routed request from now on into {@code metrics} (null: none). Set once, when the mesh starts. */
  public void recordInto(OutboundMetrics metrics) {
    this.metrics = metrics;
  }

  /** Where the transports record requests, or null when metrics are off. */
  public OutboundMetrics metrics() {
    return metrics;
  }

  /** Stops routing: every later request fails with {@link Reason#MESH_CLOSED}. */
  public void close() {
    closed = true;
  }

  private RouteStep route(TargetConfig.Routed config, RequestView request) throws MeshRoutingException {
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
    if (fault != null && fault.delayNanos() > 0) {
      return new FaultDelay(this, config.target(), config, route, clusterName, fault, request);
    }
    return afterDelay(config, route, clusterName, fault, request);
  }

  /** Routing after the fault filter (and its delay, if any): abort, local answers, cluster and endpoint. */
  RoutingDecision afterDelay(TargetConfig.Routed config, Route route, String clusterName, InjectedFault fault,
      RequestView request) throws MeshRoutingException {
    long delayed = fault == null ? 0 : fault.delayNanos();
    boolean handedOver = false;
    try {
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

  static MeshRoutingException noListener(String target, long waitNanos) {
    return new MeshRoutingException(
        Reason.NO_LISTENER, target + ": the control plane did not answer within " + Duration.ofNanos(waitNanos));
  }

  private ClusterTarget awaitFirstClusterConfig(String clusterName, long waitNanos)
      throws MeshRoutingException, InterruptedIOException {
    try {
      return assembler.subscribeCluster(clusterName).get(waitNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new MeshRoutingException(Reason.NO_CLUSTER, "cluster '" + clusterName
          + "': the control plane did not answer within " + Duration.ofNanos(waitNanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted =
          new InterruptedIOException("interrupted waiting for the mesh config of cluster " + clusterName);
      interrupted.initCause(e);
      throw interrupted;
    } catch (ExecutionException e) {
      throw new IllegalStateException("the assembler's future never fails", e);
    }
  }

  private TargetConfig awaitFirstConfig(String target) throws MeshRoutingException, InterruptedIOException {
    try {
      return assembler.subscribe(target).get(listenerWaitNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw noListener(target, listenerWaitNanos);
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

package io.mesh4j.runtime.cluster;

import io.mesh4j.runtime.policy.ClusterPolicyState;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.policy.UpstreamCluster;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.model.LbEndpoint;
import java.util.ArrayList;
import java.util.List;
import io.mesh4j.runtime.model.LocalityEndpoints;
import java.util.Objects;

/**
 * A cluster as the request path uses it: its configuration, its endpoints, and the plan that picks among them
 * ({@link LoadPlan}: Envoy's priority load, panic threshold, locality weights and the cluster's policy). Built on the
 * control-plane thread whenever the cluster or its endpoints change; the per-endpoint state (active requests,
 * connectivity) lives in a {@link ClusterState} handed from one runtime of the cluster to the next. Picking reads one
 * volatile plan and never locks; the plan is replaced when an endpoint's connectivity changes or outlier detection
 * ejects or returns one. Circuit breakers and outlier detection live in a {@link ClusterPolicyState}, handed on the
 * same way.
 */
public final class ClusterRuntime implements UpstreamCluster {
  private final ClusterResource cluster;
  private final EndpointResource endpoints;
  private final ClusterState state;
  private final long start;
  private final ClusterPolicyState policy;
  private volatile LoadPlan plan = LoadPlan.EMPTY;

  private ClusterRuntime(ClusterResource cluster, EndpointResource endpoints, ClusterState state, long start,
      ClusterPolicyState policy) {
    this.cluster = cluster;
    this.endpoints = endpoints;
    this.state = state;
    this.start = start;
    this.policy = policy;
  }

  /**
   * Builds a runtime with fresh endpoint state, probing on the shared scheduler.
   *
   * @param endpoints the cluster's load assignment, or {@code null} when EDS said it does not exist
   * @param start where round robin starts, so that many clients do not all begin at the first endpoint
   */
  public static ClusterRuntime build(ClusterResource cluster, EndpointResource endpoints, long start) {
    return build(cluster, endpoints, start, null, LbEnvironment.shared(), PolicyEnvironment.system());
  }

  /** As the full {@code build}, with the system's policy environment. */
  public static ClusterRuntime build(ClusterResource cluster, EndpointResource endpoints, long start,
      ClusterRuntime previous, LbEnvironment environment) {
    return build(cluster, endpoints, start, previous, environment, PolicyEnvironment.system());
  }

  /** As the full {@code build}, probing on the shared scheduler. */
  public static ClusterRuntime build(ClusterResource cluster, EndpointResource endpoints, long start,
      ClusterRuntime previous, PolicyEnvironment policyEnvironment) {
    return build(cluster, endpoints, start, previous, LbEnvironment.shared(), policyEnvironment);
  }

  /**
   * Builds the runtime for a new version of a cluster, carrying over {@code previous}'s per-endpoint state (active
   * request counts; connect failures too unless the assignment is a new one, which puts every endpoint back).
   *
   * @param previous the cluster's current runtime, or {@code null}
   * @param environment used when there is no previous runtime
   */
  public static ClusterRuntime build(
      ClusterResource cluster, EndpointResource endpoints, long start, ClusterRuntime previous,
      LbEnvironment environment, PolicyEnvironment policyEnvironment) {
    Objects.requireNonNull(cluster, "cluster");
    ClusterState state = previous != null ? previous.state : new ClusterState(environment);
    boolean freshAssignment = previous == null || previous.endpoints != endpoints;
    ClusterPolicyState policy = previous == null
        ? ClusterPolicyState.create(cluster.outlierDetection(), policyEnvironment)
        : previous.policy.carryOver(cluster.outlierDetection(), policyEnvironment);
    List<String> hosts = new ArrayList<>();
    if (endpoints != null) {
      for (LocalityEndpoints locality : endpoints.localities()) {
        for (LbEndpoint endpoint : locality.endpoints()) {
          if (endpoint.healthy() || endpoint.degraded()) {
            hosts.add(endpoint.hostPort());
          }
        }
      }
    }
    policy.setHosts(hosts);
    // Ejected endpoints count as unhealthy in the plan (priority load and panic, as in Envoy): replan on each change.
    policy.onEjectionChange(state::healthChanged);
    ClusterRuntime runtime = new ClusterRuntime(cluster, endpoints, state, start, policy);
    synchronized (state) {
      state.sync(endpoints, freshAssignment, cluster.connectTimeout());
      runtime.replan();
      state.setCurrent(runtime);
    }
    return runtime;
  }

  /** Recomputes the plan from the endpoints and their current connectivity. Called under the state's lock. */
  void replan() {
    plan = LoadPlan.build(endpoints, cluster.loadBalancer(), state, policy::isEjected, start);
  }

  @Override
  public String name() {
    return cluster.name();
  }

  @Override
  public ClusterResource cluster() {
    return cluster;
  }

  /** The load assignment, or {@code null} when there is none. */
  public EndpointResource endpoints() {
    return endpoints;
  }

  /** How many endpoints the cluster keeps state for (active requests, connect failures): bounded by its assignment. */
  public int trackedEndpoints() {
    return state.trackedEndpoints();
  }

  /** The highest priority that takes traffic, or -1 when no endpoint can take traffic. */
  public int activePriority() {
    return plan.activePriority();
  }

  /**
   * Picks the endpoint for one attempt and counts it as active until the lease is released.
   *
   * @param hashed whether the request has a hash ({@code hash_policy}); hash-based policies pick at random without
   * @param hash the request's hash
   * @return the lease, or {@code null} when no endpoint can take traffic
   */
  public EndpointLease acquire(boolean hashed, long hash) {
    EndpointState picked = pickState(hashed, hash);
    return picked == null ? null : picked.acquire();
  }

  /** The endpoint for the next attempt without a hash and without counting it, or {@code null}. */
  @Override
  public LbEndpoint pick() {
    EndpointState picked = pickState(false, 0);
    return picked == null ? null : picked.endpoint();
  }

  /**
   * Counts a request to this endpoint (picked by someone else, e.g. a retry avoiding previous hosts) as active until
   * the lease is released; {@code null} if the endpoint is no longer in the cluster.
   */
  public EndpointLease lease(LbEndpoint endpoint) {
    EndpointState known = state.get(endpoint);
    return known == null ? null : known.acquire();
  }

  /**
   * Endpoints ejected by outlier detection are out of the plan (unhealthy for priority load and panic), so a pick
   * never lands on one unless the priority is in panic, as in Envoy.
   */
  private EndpointState pickState(boolean hashed, long hash) {
    return plan.pick(hashed, hash, state.environment().random().getAsLong());
  }

  /** Circuit breakers and outlier detection: state that outlives this object across config updates. */
  @Override
  public ClusterPolicyState policy() {
    return policy;
  }

  /**
   * Reports an attempt's outcome to outlier detection.
   *
   * @param status the response status, or the status a failure without response stands for (503; 504 timeout)
   */
  @Override
  public void attemptFinished(LbEndpoint endpoint, int status) {
    policy.attemptFinished(endpoint.hostPort(), status);
  }

  /** The cluster is no longer used by any target: its connectivity probes stop. */
  public void retire() {
    state.retire();
  }

  @Override
  public String toString() {
    return "ClusterRuntime{" + cluster.name() + ", " + cluster.loadBalancer().policy() + "}";
  }
}

package io.mesh4j.runtime.cluster;

import io.mesh4j.runtime.policy.ClusterPolicyState;
import io.mesh4j.runtime.policy.PolicyEnvironment;
import io.mesh4j.runtime.xds.resource.ClusterResource;
import io.mesh4j.runtime.xds.resource.EndpointResource;
import io.mesh4j.runtime.xds.resource.LbEndpoint;
import io.mesh4j.runtime.xds.resource.LocalityEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A cluster as the request path uses it: its configuration, its endpoints, and the picker over the endpoints that
 * can take traffic. Built on the control-plane thread whenever the cluster or its endpoints change; immutable
 * apart from the picker's counter.
 */
public final class ClusterRuntime {
  private final ClusterResource cluster;
  private final EndpointResource endpoints;
  private final int activePriority;
  private final EndpointPicker picker;
  private final ClusterPolicyState policy;
  private final int pickable;
  private static final int MAX_PICKS_PAST_EJECTED = 1024;

  private ClusterRuntime(ClusterResource cluster, EndpointResource endpoints, int activePriority, EndpointPicker picker,
      ClusterPolicyState policy, int pickable) {
    this.cluster = cluster;
    this.endpoints = endpoints;
    this.activePriority = activePriority;
    this.picker = picker;
    this.policy = policy;
    this.pickable = pickable;
  }

  /** As {@link #build(ClusterResource, EndpointResource, long, ClusterRuntime, PolicyEnvironment)}, with fresh state. */
  public static ClusterRuntime build(ClusterResource cluster, EndpointResource endpoints, long start) {
    return build(cluster, endpoints, start, null, PolicyEnvironment.system());
  }

  /**
   * Builds the runtime for a cluster. Traffic goes to the highest priority (lowest number) that has a healthy
   * endpoint; endpoints in it are balanced by weight.
   *
   * @param endpoints the cluster's load assignment, or {@code null} when EDS said it does not exist
   * @param start where round robin starts, so that many clients do not all begin at the first endpoint
   * @param previous the cluster's runtime until now, whose circuit breakers and outlier state carry on, or null
   */
  public static ClusterRuntime build(ClusterResource cluster, EndpointResource endpoints, long start,
      ClusterRuntime previous, PolicyEnvironment env) {
    Objects.requireNonNull(cluster, "cluster");
    List<LbEndpoint> chosen = List.of();
    int priority = -1;
    if (endpoints != null) {
      for (int p = 0; chosen.isEmpty() && p <= maxPriority(endpoints); p++) {
        chosen = healthyAt(endpoints, p);
        priority = p;
      }
    }
    EndpointPicker picker = chosen.isEmpty() ? () -> null : new WeightedRoundRobinPicker(chosen, start);
    ClusterPolicyState policy = previous == null
        ? ClusterPolicyState.create(cluster.outlierDetection(), env)
        : previous.policy.carryOver(cluster.outlierDetection(), env);
    policy.setHosts(chosen.stream().map(LbEndpoint::hostPort).toList());
    // Weighted round robin visits every endpoint within one cycle of the total weight: that many picks (bounded)
    // are enough to get past the ejected ones.
    long totalWeight = chosen.stream().mapToLong(LbEndpoint::weight).sum();
    int maxPicks = (int) Math.min(Math.max(totalWeight, chosen.size()), MAX_PICKS_PAST_EJECTED);
    return new ClusterRuntime(cluster, endpoints, chosen.isEmpty() ? -1 : priority, picker, policy, maxPicks);
  }

  private static int maxPriority(EndpointResource endpoints) {
    int max = -1;
    for (LocalityEndpoints locality : endpoints.localities()) {
      max = Math.max(max, locality.priority());
    }
    return max;
  }

  private static List<LbEndpoint> healthyAt(EndpointResource endpoints, int priority) {
    List<LbEndpoint> healthy = new ArrayList<>();
    for (LocalityEndpoints locality : endpoints.localities()) {
      if (locality.priority() != priority) {
        continue;
      }
      for (LbEndpoint endpoint : locality.endpoints()) {
        if (endpoint.healthy()) {
          healthy.add(endpoint);
        }
      }
    }
    return healthy;
  }

  public String name() {
    return cluster.name();
  }

  public ClusterResource cluster() {
    return cluster;
  }

  /** The load assignment, or {@code null} when there is none. */
  public EndpointResource endpoints() {
    return endpoints;
  }

  /** The priority traffic goes to, or -1 when no endpoint is healthy. */
  public int activePriority() {
    return activePriority;
  }

  /**
   * The endpoint for the next attempt, or {@code null} when no endpoint can take traffic. Endpoints ejected by
   * outlier detection are skipped; when every one is ejected, one is used anyway (as Envoy's panic mode would).
   */
  public LbEndpoint pick() {
    LbEndpoint endpoint = picker.pick();
    for (int i = 1; i < pickable && endpoint != null && policy.isEjected(endpoint.hostPort()); i++) {
      endpoint = picker.pick();
    }
    return endpoint;
  }

  /** Circuit breakers and outlier detection: state that outlives this object across config updates. */
  public ClusterPolicyState policy() {
    return policy;
  }

  /**
   * Reports an attempt's outcome to outlier detection.
   *
   * @param status the response status, or the status a failure without response stands for (503; 504 timeout)
   */
  public void attemptFinished(LbEndpoint endpoint, int status) {
    policy.attemptFinished(endpoint.hostPort(), status);
  }
}

package io.mesh4j.runtime.cluster;

import io.mesh4j.runtime.model.EndpointResource;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.model.LocalityEndpoints;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The part of a cluster that outlives config updates: one {@link EndpointState} per endpoint address, handed from each
 * {@link ClusterRuntime} to the next the assembler builds for the same cluster. Membership changes happen on the
 * control-plane thread; connectivity changes come from the data path and the probes, and make the current runtime
 * recompute its plan (rare, so under this object's lock; picking never locks).
 */
final class ClusterState {
  private final LbEnvironment environment;
  private volatile Map<String, EndpointState> endpoints = Map.of();
  private volatile ClusterRuntime current;
  private volatile Duration connectTimeout = Duration.ofSeconds(5);
  private volatile boolean retired;

  ClusterState(LbEnvironment environment) {
    this.environment = environment;
  }

  LbEnvironment environment() {
    return environment;
  }

  Duration connectTimeout() {
    return connectTimeout;
  }

  /**
   * Adopts a new endpoint set: keeps the state of addresses still present and drops the others. A fresh assignment
   * (another EDS update) puts connect-failed endpoints back in rotation, as the control plane's word is newer.
   */
  /** How many endpoints state is kept for. */
  int trackedEndpoints() {
    return endpoints.size();
  }

  synchronized void sync(EndpointResource assignment, boolean freshAssignment, Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
    Map<String, EndpointState> next = new HashMap<>();
    if (assignment != null) {
      for (LocalityEndpoints locality : assignment.localities()) {
        for (LbEndpoint endpoint : locality.endpoints()) {
          String key = endpoint.hostPort();
          EndpointState state = next.get(key);
          if (state == null) {
            state = endpoints.get(key);
            if (state == null) {
              state = new EndpointState(this, endpoint);
            } else {
              state.update(endpoint);
              if (freshAssignment) {
                state.resetConnectivity();
              }
            }
            next.put(key, state);
          }
        }
      }
    }
    endpoints = Map.copyOf(next);
  }

  EndpointState get(LbEndpoint endpoint) {
    return endpoints.get(endpoint.hostPort());
  }

  boolean contains(EndpointState state) {
    return !retired && endpoints.get(state.endpoint().hostPort()) == state;
  }

  synchronized void setCurrent(ClusterRuntime runtime) {
    current = runtime;
  }

  /** An endpoint's connectivity changed: the current runtime recomputes which endpoints take traffic. */
  synchronized void healthChanged() {
    ClusterRuntime runtime = current;
    if (runtime != null && !retired) {
      runtime.replan();
    }
  }

  /** The cluster is no longer used: probes stop. */
  void retire() {
    retired = true;
  }
}

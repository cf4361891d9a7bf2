package io.mesh4j.runtime.cluster;

import io.mesh4j.runtime.model.LbEndpoint;
import java.util.ArrayList;
import java.util.List;

/** ROUND_ROBIN: Envoy's weighted round robin (see {@link WeightedRoundRobinPicker}). */
final class RoundRobinHostPicker implements HostPicker {
  private final EndpointState[] hosts;
  private final WeightedRoundRobinPicker order;

  RoundRobinHostPicker(EndpointState[] hosts, long start) {
    this.hosts = hosts;
    List<LbEndpoint> endpoints = new ArrayList<>(hosts.length);
    for (EndpointState h : hosts) {
      endpoints.add(h.endpoint());
    }
    this.order = new WeightedRoundRobinPicker(endpoints, start);
  }

  @Override
  public EndpointState pick(long hash, long random) {
    return hosts[order.pickIndex()];
  }
}

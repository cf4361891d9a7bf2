package io.mesh4j.runtime.cluster;

/**
 * RANDOM as Envoy implements it ({@code RandomLoadBalancer}): a uniformly random endpoint of the set, endpoint
 * weights not considered (Envoy's random balancer ignores them; locality weights still apply above it).
 */
final class RandomHostPicker implements HostPicker {
  private final EndpointState[] hosts;

  RandomHostPicker(EndpointState[] hosts) {
    this.hosts = hosts;
  }

  @Override
  public EndpointState pick(long hash, long random) {
    return hosts[HostPicker.index(random, hosts.length)];
  }
}

package io.mesh4j.runtime.listener;

import java.util.List;
import java.util.Objects;

/**
 * A decoded server listener: where it listens and its filter chains, checked to have no two equal matches.
 *
 * @param address the listener's {@code address.socket_address.address}, e.g. {@code 0.0.0.0}
 * @param port its {@code port_value}
 * @param filterChains {@code filter_chains}, in order
 * @param defaultFilterChain {@code default_filter_chain}, or null: a connection no chain matches is closed
 */
public record ServerListenerResource(
    String name, String address, int port, List<ServerFilterChain> filterChains,
    ServerFilterChain defaultFilterChain) {
  public ServerListenerResource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    filterChains = List.copyOf(filterChains);
  }

  /** The route configurations its chains fetch by RDS. */
  public java.util.Set<String> rdsRouteConfigNames() {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    for (ServerFilterChain chain : filterChains) {
      if (chain.hcm().rdsRouteConfigName() != null) {
        names.add(chain.hcm().rdsRouteConfigName());
      }
    }
    if (defaultFilterChain != null && defaultFilterChain.hcm().rdsRouteConfigName() != null) {
      names.add(defaultFilterChain.hcm().rdsRouteConfigName());
    }
    return names;
  }
}

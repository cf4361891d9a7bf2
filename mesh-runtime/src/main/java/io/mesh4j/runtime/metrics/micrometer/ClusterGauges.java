package io.mesh4j.runtime.metrics.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.config.ClusterTarget;
import io.mesh4j.runtime.config.MeshSnapshot;
import io.mesh4j.runtime.config.SnapshotListener;
import io.mesh4j.runtime.config.TargetConfig;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.model.LocalityEndpoints;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-cluster gauges, read at scrape time from the cluster the current config routes by: endpoints total and
 * healthy ({@code envoy_cluster_membership_total} / {@code _healthy}), outlier ejections in force
 * ({@code envoy_cluster_outlier_detection_ejections_active}), whether the request breaker is at its limit
 * ({@code envoy_cluster_circuit_breakers_default_rq_open}); and one counter read the same way, the ejections
 * enforced so far ({@code envoy_cluster_outlier_detection_ejections_enforced}, {@code _total} in Prometheus text as
 * Envoy's {@code ejections_enforced_total}), kept by the cluster's policy state so that it survives config updates.
 * Meters follow the config: added when a cluster appears, removed when it leaves.
 */
final class ClusterGauges implements SnapshotListener {
  private final MeterRegistry registry;
  private final Map<String, ClusterRuntime> current = new ConcurrentHashMap<>();
  /** Assembler thread only. */
  private final Map<String, List<Meter>> meters = new HashMap<>();

  ClusterGauges(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void published(MeshSnapshot snapshot) {
    Map<String, ClusterRuntime> now = new HashMap<>();
    for (TargetConfig config : snapshot.targets().values()) {
      if (config instanceof TargetConfig.Routed routed) {
        now.putAll(routed.clusters());
      }
    }
    for (ClusterTarget target : snapshot.clusterTargets().values()) {
      if (target.exists()) {
        now.put(target.name(), target.runtime());
      }
    }
    current.putAll(now);
    Set<String> gone = new HashSet<>(meters.keySet());
    gone.removeAll(now.keySet());
    for (String name : gone) {
      current.remove(name);
      meters.remove(name).forEach(registry::remove);
    }
    for (String name : now.keySet()) {
      meters.computeIfAbsent(name, this::register);
    }
  }

  @Override
  public void closed() {
    meters.values().forEach(list -> list.forEach(registry::remove));
    meters.clear();
    current.clear();
  }

  private List<Meter> register(String name) {
    Tags tags = Tags.of("cluster_name", name);
    List<Meter> list = new ArrayList<>();
    list.add(Gauge.builder("envoy_cluster_membership_total", this, g -> g.endpoints(name, false))
        .description("Endpoints of the cluster").tags(tags).register(registry));
    list.add(Gauge.builder("envoy_cluster_membership_healthy", this, g -> g.endpoints(name, true))
        .description("Endpoints that take traffic: healthy and not ejected").tags(tags).register(registry));
    list.add(Gauge.builder("envoy_cluster_outlier_detection_ejections_active", this, g -> g.ejected(name))
        .description("Endpoints ejected by outlier detection now").tags(tags).register(registry));
    list.add(FunctionCounter.builder("envoy_cluster_outlier_detection_ejections_enforced", this,
            g -> g.ejectionsEnforced(name))
        .description("Ejections outlier detection enforced, for any reason").tags(tags).register(registry));
    list.add(Gauge.builder("envoy_cluster_circuit_breakers_default_rq_open", this, g -> g.requestsOpen(name))
        .description("1 while the max_requests breaker has no slot left").tags(tags).register(registry));
    return list;
  }

  private double endpoints(String name, boolean healthyOnly) {
    ClusterRuntime cluster = current.get(name);
    if (cluster == null || cluster.endpoints() == null) {
      return 0;
    }
    int count = 0;
    for (LocalityEndpoints locality : cluster.endpoints().localities()) {
      for (LbEndpoint endpoint : locality.endpoints()) {
        if (!healthyOnly || (endpoint.healthy() || endpoint.degraded())
            && !cluster.policy().isEjected(endpoint.hostPort())) {
          count++;
        }
      }
    }
    return count;
  }

  private double ejected(String name) {
    ClusterRuntime cluster = current.get(name);
    return cluster == null || cluster.policy().outliers() == null ? 0 : cluster.policy().outliers().ejectedCount();
  }

  private double ejectionsEnforced(String name) {
    ClusterRuntime cluster = current.get(name);
    return cluster == null ? 0 : cluster.policy().ejectionsEnforced();
  }

  private double requestsOpen(String name) {
    ClusterRuntime cluster = current.get(name);
    if (cluster == null) {
      return 0;
    }
    long limit = cluster.cluster().circuitBreakers().maxInFlightAttempts();
    return cluster.policy().breaker().attemptsInFlight() >= limit ? 1 : 0;
  }
}

package io.mesh4j.runtime;

import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.config.ClusterTarget;
import io.mesh4j.runtime.config.MeshSnapshot;
import io.mesh4j.runtime.config.SnapshotListener;
import io.mesh4j.runtime.config.TargetConfig;
import io.mesh4j.runtime.security.MaterialUnavailableException;
import io.mesh4j.runtime.security.MeshSecurity;
import io.mesh4j.runtime.model.UpstreamTlsConfig;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the mesh's upstream TLS contexts (and the SDS watches behind them) to those of clusters the published config
 * routes to: a cluster that arrives gets its context on the assembler's thread, so its secrets are fetched as the
 * cluster loads (as Envoy does) rather than by the first request's thread; a cluster that leaves takes its context
 * and secrets with it instead of leaving them to pile up.
 */
final class TlsContextRetention implements SnapshotListener {
  private static final Logger log = LoggerFactory.getLogger(TlsContextRetention.class);

  private final MeshSecurity security;

  TlsContextRetention(MeshSecurity security) {
    this.security = security;
  }

  /** Builds the contexts of arriving clusters before any request can route to them. */
  @Override
  public void publishing(MeshSnapshot next) {
    Set<UpstreamTlsConfig> inUse = inUse(next);
    security.admit(inUse);
    for (UpstreamTlsConfig config : inUse) {
      try {
        security.upstream(config);
      } catch (MaterialUnavailableException e) {
        // A request to the cluster reports it, naming what is missing.
        log.debug("TLS context not built ahead of requests: {}", e.getMessage());
      }
    }
  }

  @Override
  public void published(MeshSnapshot snapshot) {
    security.retain(inUse(snapshot));
  }

  private static Set<UpstreamTlsConfig> inUse(MeshSnapshot snapshot) {
    Set<UpstreamTlsConfig> inUse = new HashSet<>();
    for (TargetConfig config : snapshot.targets().values()) {
      if (config instanceof TargetConfig.Routed routed) {
        for (ClusterRuntime cluster : routed.clusters().values()) {
          if (cluster.cluster().tls() != null) {
            inUse.add(cluster.cluster().tls());
          }
        }
      }
    }
    // Clusters requests are sent to by name (JWKS fetches) keep their contexts as routed ones do.
    for (ClusterTarget target : snapshot.clusterTargets().values()) {
      if (target.exists() && target.runtime().cluster().tls() != null) {
        inUse.add(target.runtime().cluster().tls());
      }
    }
    return inUse;
  }

  @Override
  public void closed() {
    // The mesh closes its security after the assembler, releasing everything.
  }
}

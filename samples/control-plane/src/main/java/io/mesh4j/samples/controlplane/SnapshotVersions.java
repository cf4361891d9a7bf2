package io.mesh4j.samples.controlplane;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns successive {@link ResourceSet}s into snapshots with monotonically increasing versions. Each load that changes
 * anything is one generation; a type's version is the generation that last changed it, so a client is sent only the
 * types that changed, and an unchanged reload sends nothing. Not thread-safe: used on the reload thread only.
 */
final class SnapshotVersions {

  /** A snapshot to publish, with its generation and the resource types that changed in it. */
  record Published(Snapshot snapshot, String version, List<String> changedTypes) {
    Published {
      changedTypes = List.copyOf(changedTypes);
    }
  }

  private long generation;
  private ResourceSet current;
  private String listenersVersion = "";
  private String routesVersion = "";
  private String clustersVersion = "";
  private String endpointsVersion = "";
  private String secretsVersion = "";

  /** The snapshot for {@code next}, or empty when it holds exactly the resources already published. */
  Optional<Published> next(ResourceSet next) {
    Objects.requireNonNull(next, "next");
    if (next.equals(current)) {
      return Optional.empty();
    }
    generation++;
    String version = Long.toString(generation);
    List<String> changed = new ArrayList<>();
    if (changed(next.listeners(), current == null ? null : current.listeners())) {
      listenersVersion = version;
      changed.add("listeners");
    }
    if (changed(next.routes(), current == null ? null : current.routes())) {
      routesVersion = version;
      changed.add("routes");
    }
    if (changed(next.clusters(), current == null ? null : current.clusters())) {
      clustersVersion = version;
      changed.add("clusters");
    }
    if (changed(next.endpoints(), current == null ? null : current.endpoints())) {
      endpointsVersion = version;
      changed.add("endpoints");
    }
    if (changed(next.secrets(), current == null ? null : current.secrets())) {
      secretsVersion = version;
      changed.add("secrets");
    }
    current = next;
    Snapshot snapshot = Snapshot.create(
        next.clusters().values(), clustersVersion,
        next.endpoints().values(), endpointsVersion,
        next.listeners().values(), listenersVersion,
        next.routes().values(), routesVersion,
        next.secrets().values(), secretsVersion);
    return Optional.of(new Published(snapshot, version, changed));
  }

  /** The generation last published, or {@code ""} before the first. */
  String version() {
    return generation == 0 ? "" : Long.toString(generation);
  }

  private static boolean changed(Map<String, ?> next, Map<String, ?> previous) {
    return previous == null || !next.equals(previous);
  }
}

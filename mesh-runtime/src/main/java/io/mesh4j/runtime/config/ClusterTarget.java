package io.mesh4j.runtime.config;

import io.mesh4j.runtime.cluster.ClusterRuntime;
import java.util.Objects;

/**
 * A cluster requests are sent to by name, outside any route table (Envoy's {@code http_uri.cluster}: jwt_authn's
 * JWKS fetches), once the control plane has answered for it.
 *
 * @param runtime the cluster with its endpoints, or {@code null} when the control plane says it does not exist
 */
public record ClusterTarget(String name, ClusterRuntime runtime) {
  public ClusterTarget {
    Objects.requireNonNull(name, "name");
  }

  public boolean exists() {
    return runtime != null;
  }
}

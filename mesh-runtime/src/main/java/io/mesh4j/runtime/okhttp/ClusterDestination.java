package io.mesh4j.runtime.okhttp;

import java.time.Duration;
import java.util.Objects;

/**
 * An OkHttp request tag ({@code Request.Builder.tag(ClusterDestination.class, ...)}) that sends the request to the
 * cluster {@code cluster} by name instead of routing its URL's host, as Envoy sends jwt_authn's JWKS fetch to
 * {@code http_uri.cluster}: the cluster's endpoints, load balancing, circuit breakers and TLS (its
 * {@code UpstreamTlsContext}, whatever the URL's scheme), the URL's path and its {@code Host} header (set it to the
 * URL's authority), within {@code timeout}, not retried, redirects not followed by the mesh. For the mesh's own
 * requests; the application's calls are routed by their host.
 */
public record ClusterDestination(String cluster, Duration timeout) {
  public ClusterDestination {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(timeout, "timeout");
  }
}

package io.mesh4j.runtime.filter.jwt;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * Fetches a JWKS document for {@code remote_jwks}, through the mesh: {@code cluster} names the cluster as in Envoy's
 * {@code http_uri.cluster}, {@code uri}'s host is the {@code Host}. Implemented above the filter packages (they cannot
 * see the outbound engine) and installed with {@link JwksFetchers#install}. Called only from the JWKS refresh threads,
 * never from a request's.
 */
public interface JwksFetcher {

  /**
   * @return the response body of a 2xx answer
   * @throws IOException on a connection failure, a timeout or a non-2xx status
   */
  String fetch(String cluster, URI uri, Duration timeout) throws IOException;
}

package io.mesh4j.runtime.filter.jwt;

import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Nimbus's view of a JWKS fetch: through a {@link JwksFetcher} (the mesh), to {@code http_uri.cluster}, retried as
 * {@code retry_policy} says (Envoy's fully jittered exponential back-off). Runs on the JWKS threads only.
 */
final class MeshResourceRetriever implements ResourceRetriever {
  private final RemoteJwksSettings settings;
  private final JwksFetcher fetcher;

  MeshResourceRetriever(RemoteJwksSettings settings, JwksFetcher fetcher) {
    this.settings = settings;
    this.fetcher = fetcher;
  }

  @Override
  public Resource retrieveResource(URL url) throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt <= settings.numRetries(); attempt++) {
      if (attempt > 0) {
        backOff(attempt);
      }
      try {
        return new Resource(fetcher.fetch(settings.cluster(), url.toURI(), settings.timeout()), "application/json");
      } catch (URISyntaxException e) {
        throw new IOException(e);
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  private void backOff(int attempt) throws InterruptedIOException {
    long base = settings.backOffBase().toMillis();
    long ceiling = Math.min(settings.backOffMax().toMillis(), base << Math.min(attempt - 1, 20));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(Math.max(1, ceiling)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted between JWKS fetch attempts");
    }
  }
}

package io.mesh4j.runtime.filter.jwt;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The fetchers remote JWKS sources use, one per open mesh. A decoded filter config cannot know which mesh decoded it
 * (decoders are pure functions of the proto), so the sources ask here at fetch time: the newest mesh first. With no
 * mesh installed (a config decoded in a test, a filter used alone) a JWKS fetch fails, and tokens fail closed.
 */
public final class JwksFetchers {
  private static final CopyOnWriteArrayList<JwksFetcher> INSTALLED = new CopyOnWriteArrayList<>();

  private JwksFetchers() {}

  /** Makes a fetcher available until the returned handle is closed (when its mesh closes). */
  public static AutoCloseable install(JwksFetcher fetcher) {
    INSTALLED.add(0, fetcher);
    return () -> INSTALLED.remove(fetcher);
  }

  /** The fetcher that sources without one of their own use: the newest installed. */
  static JwksFetcher current() {
    return (cluster, uri, timeout) -> {
      JwksFetcher fetcher = INSTALLED.isEmpty() ? null : INSTALLED.get(0);
      if (fetcher == null) {
        throw new IOException("no mesh is open to fetch " + uri + " through cluster " + cluster);
      }
      return fetcher.fetch(cluster, uri, timeout);
    };
  }
}

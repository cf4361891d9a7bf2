package io.mesh4j.runtime.filter.jwt;

import io.mesh4j.runtime.inbound.InboundFilterConfig;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A jwt_authn config decoded for a test outside this package, with its own fetcher and JWKS threads rather than the
 * process-wide ones: its remote sources are not shared, and they stop fetching when the test shuts {@code threads}
 * down, instead of polling through whichever mesh a later test opens.
 */
public final class IsolatedJwtAuthn {
  private IsolatedJwtAuthn() {}

  public static InboundFilterConfig decode(String json, JwksFetcher fetcher, ScheduledExecutorService threads)
      throws ResourceInvalidException {
    return JwtConfigs.decode(json, new JwtEnvironment(System::currentTimeMillis, fetcher, threads, false));
  }
}

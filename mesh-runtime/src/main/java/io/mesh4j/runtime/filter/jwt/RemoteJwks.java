package io.mesh4j.runtime.filter.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetBasedJWKSource;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import java.lang.ref.WeakReference;
import java.net.MalformedURLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code remote_jwks}: Nimbus's JWK set source (cache of {@code cache_duration}, refresh ahead of expiry, outage
 * tolerance of twice the duration, rate limit) over a fetch through the mesh. The JWKS threads drive it and publish
 * what it answers; a request only reads the last answer, so it never waits on a fetch, except the very first request,
 * which may wait for the source's first fetch (started when the source is created, as Envoy's {@code async_fetch})
 * up to {@code http_uri.timeout}.
 */
final class RemoteJwks implements JwksSource {
  private static final Logger log = LoggerFactory.getLogger(RemoteJwks.class);
  private static final Cache<RemoteJwksSettings, RemoteJwks> SHARED = Caffeine.newBuilder().weakValues().build();

  private final RemoteJwksSettings settings;
  private final JWKSetSource<SecurityContext> nimbus;
  private final LongSupplier clockMillis;
  private final ScheduledExecutorService threads;
  private final CountDownLatch firstFetch = new CountDownLatch(1);
  private final AtomicBoolean kidRefreshRunning = new AtomicBoolean();
  private final AtomicBoolean neverFetchedReported = new AtomicBoolean();
  private final AtomicLong nextKidRefreshMillis = new AtomicLong(Long.MIN_VALUE);
  private volatile JWKSet current;

  RemoteJwks(RemoteJwksSettings settings, JwksFetcher fetcher, LongSupplier clockMillis,
      ScheduledExecutorService threads) {
    this.settings = settings;
    this.clockMillis = clockMillis;
    this.threads = threads;
    long ttl = Math.max(settings.cacheDuration().toMillis(), 4);
    long refreshTimeout = Math.max(1, Math.min(settings.timeout().toMillis(), ttl / 4));
    long refreshAhead = Math.max(1, Math.min(30_000, ttl / 4));
    // Below the cache: at most one fetch per interval whatever asks (refresh ahead, expiry, unknown kids).
    long rateLimit = Math.max(1, Math.min(RemoteJwksSettings.UNKNOWN_KID_REFRESH_INTERVAL.toMillis(),
        (ttl - refreshAhead) / 2));
    try {
      JWKSourceBuilder<SecurityContext> builder =
          JWKSourceBuilder.create(settings.uri().toURL(), new MeshResourceRetriever(settings, fetcher));
      this.nimbus = ((JWKSetBasedJWKSource<SecurityContext>) builder
          .cache(ttl, refreshTimeout)
          .refreshAheadCache(refreshAhead, null, threads, false, null, false)
          .outageTolerant(2 * ttl)
          .rateLimited(rateLimit)
          .retrying(false)
          .build())
          .getJWKSetSource();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(settings.uri() + ": " + e.getMessage(), e);
    }
    long period = Math.max(50, Math.min(refreshAhead / 2, 15_000));
    threads.scheduleWithFixedDelay(new Poll(this), 0, period, TimeUnit.MILLISECONDS);
  }

  /** The source for these settings, shared with every config that names the same ones. */
  static RemoteJwks shared(RemoteJwksSettings settings, JwtEnvironment environment) {
    if (!environment.shareRemoteSources()) {
      return new RemoteJwks(settings, environment.fetcher(), environment.clockMillis(), environment.threads());
    }
    return SHARED.get(settings,
        s -> new RemoteJwks(s, environment.fetcher(), environment.clockMillis(), environment.threads()));
  }

  @Override
  public JWKSet current() {
    JWKSet keys = current;
    if (keys == null && firstFetch.getCount() > 0) {
      try {
        firstFetch.await(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      keys = current;
    }
    return keys;
  }

  @Override
  public void unknownKeyId() {
    long now = clockMillis.getAsLong();
    long next = nextKidRefreshMillis.get();
    if (now < next || !nextKidRefreshMillis.compareAndSet(next,
        now + RemoteJwksSettings.UNKNOWN_KID_REFRESH_INTERVAL.toMillis())) {
      return;
    }
    if (kidRefreshRunning.compareAndSet(false, true)) {
      JWKSet seen = current;
      threads.execute(() -> {
        try {
          refresh(seen == null ? JWKSetCacheRefreshEvaluator.forceRefresh()
              : JWKSetCacheRefreshEvaluator.referenceComparison(seen));
        } finally {
          kidRefreshRunning.set(false);
        }
      });
    }
  }

  /** Asks Nimbus for the keys (from its cache, or fetched if it decides so) and publishes the answer. */
  void refresh(JWKSetCacheRefreshEvaluator evaluator) {
    try {
      JWKSet keys = nimbus.getJWKSet(evaluator, clockMillis.getAsLong(), null);
      if (keys != current) {
        log.debug("JWKS {} via cluster {}: {} keys", settings.uri(), settings.cluster(), keys.size());
      }
      current = keys;
    } catch (KeySourceException e) {
      if (current != null) {
        log.warn("JWKS {} via cluster {} unavailable beyond its outage tolerance, tokens fail until it returns: {}",
            settings.uri(), settings.cluster(), e.getMessage());
      } else if (neverFetchedReported.compareAndSet(false, true)) {
        // Why a provider's tokens fail from the start (e.g. a cluster the control plane does not have); once.
        log.warn("JWKS {} via cluster {} could not be fetched, tokens fail until it is: {}", settings.uri(),
            settings.cluster(), e.getMessage());
      } else {
        log.debug("JWKS {} via cluster {} still unavailable: {}", settings.uri(), settings.cluster(), e.getMessage());
      }
      current = null;
    } catch (RuntimeException e) {
      log.warn("JWKS {} refresh failed", settings.uri(), e);
    } finally {
      firstFetch.countDown();
    }
  }

  /** Refreshes while its source is referenced by some config, then cancels itself. */
  private static final class Poll implements Runnable {
    private final WeakReference<RemoteJwks> source;

    Poll(RemoteJwks source) {
      this.source = new WeakReference<>(source);
    }

    @Override
    public void run() {
      RemoteJwks jwks = source.get();
      if (jwks == null) {
        throw new IllegalStateException("source no longer referenced"); // ends the periodic task
      }
      jwks.refresh(JWKSetCacheRefreshEvaluator.noRefresh());
    }
  }
}

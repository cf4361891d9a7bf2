package io.mesh4j.runtime.security;

import io.mesh4j.runtime.model.UpstreamTlsConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * One upstream TLS identity at run time: the socket factory, trust manager and host name verifier a transport
 * uses for every cluster whose {@link UpstreamTlsConfig} is equal. Transports must reuse these very objects so
 * their connection pools (OkHttp keys pooled connections by them) share connections across such clusters.
 */
public final class UpstreamTls {
  /** Host names are not checked: the trust manager checked the peer's SANs during the handshake. */
  private static final HostnameVerifier CHECKED_BY_TRUST_MANAGER = (host, session) -> true;

  private final UpstreamTlsConfig config;
  private final SSLSocketFactory socketFactory;
  private final X509TrustManager trustManager;
  private final List<MaterialSource> sources;
  private final X509ExtendedKeyManager keyManager;
  private final CompletableFuture<Void> ready;

  UpstreamTls(UpstreamTlsConfig config, SSLSocketFactory socketFactory, X509TrustManager trustManager,
      X509ExtendedKeyManager keyManager, List<MaterialSource> sources) {
    this.config = config;
    this.socketFactory = socketFactory;
    this.trustManager = trustManager;
    this.keyManager = keyManager;
    this.sources = List.copyOf(sources);
    this.ready = CompletableFuture.allOf(
        this.sources.stream().map(MaterialSource::ready).toArray(CompletableFuture[]::new));
  }

  public UpstreamTlsConfig config() {
    return config;
  }

  public SSLSocketFactory socketFactory() {
    return socketFactory;
  }

  public X509TrustManager trustManager() {
    return trustManager;
  }

  /**
   * The key manager presenting the cluster's current certificate (rotations apply to new handshakes), or
   * {@code null} for one-way TLS. For transports that take managers rather than a socket factory (gRPC); the trust
   * manager checks SANs itself, so such transports must not add a host name check of their own.
   */
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /** Where the material comes from, so the watches behind it are kept while the context is in use. */
  List<MaterialSource> sources() {
    return sources;
  }

  public HostnameVerifier hostnameVerifier() {
    return CHECKED_BY_TRUST_MANAGER;
  }

  /**
   * Completes when every source this context needs has material (exceptionally when one failed): for transports
   * that wait without holding a thread, bounding the wait themselves, then asking {@link #missingMaterial()}.
   */
  public CompletableFuture<Void> whenReady() {
    return ready;
  }

  /** Without waiting: {@code null} when the material is there, else which source is missing or failed. */
  public String missingMaterial() {
    for (MaterialSource source : sources) {
      CompletableFuture<Void> sourceReady = source.ready();
      if (!sourceReady.isDone()) {
        return source.description() + " has no material yet";
      }
      if (sourceReady.isCompletedExceptionally()) {
        try {
          sourceReady.join();
        } catch (RuntimeException e) {
          return source.description() + " failed: " + (e.getCause() != null ? e.getCause() : e);
        }
      }
    }
    return null;
  }

  /**
   * Waits, at most {@code wait}, for the material this context needs (a provider's first files, an SDS secret).
   *
   * @return {@code null} when ready, else which source is still missing
   */
  public String awaitReady(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    for (MaterialSource source : sources) {
      if (source.ready().isDone()) {
        continue;
      }
      try {
        source.ready().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        return source.description() + " has no material yet";
      } catch (ExecutionException e) {
        return source.description() + " failed: " + e.getCause();
      }
    }
    return null;
  }
}

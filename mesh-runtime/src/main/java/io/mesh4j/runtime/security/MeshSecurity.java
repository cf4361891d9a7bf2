package io.mesh4j.runtime.security;

import com.google.protobuf.Struct;
import io.mesh4j.MeshConfigurationException;
import io.mesh4j.runtime.bootstrap.CertificateProviderConfig;
import io.mesh4j.runtime.xds.ResourceSubscriptions;
import io.mesh4j.runtime.inbound.ServerTls;
import io.mesh4j.runtime.model.CertificateSourceRef;
import io.mesh4j.runtime.model.DownstreamTlsConfig;
import io.mesh4j.runtime.model.UpstreamTlsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The mesh's certificate material: the bootstrap's certificate provider instances, SDS secrets, and the upstream
 * TLS contexts built from them (one per distinct {@link UpstreamTlsConfig}, shared by every cluster that has it).
 * Also gives applications a rotating server {@link SSLContext} over a provider instance.
 */
public final class MeshSecurity implements AutoCloseable {
  private final Map<String, CertificateProvider> providers;
  private final SdsSecrets sds;
  private final Clock clock;
  private final Map<UpstreamTlsConfig, UpstreamTls> upstreams = new ConcurrentHashMap<>();
  private final Map<DownstreamTlsConfig, Downstream> downstreams = new ConcurrentHashMap<>();

  /** A server chain's TLS and where its material comes from (kept watched while the chain is in use). */
  private record Downstream(ServerTls tls, List<MaterialSource> sources) {}
  /**
   * Held while a context is built and while unused ones are released, so a release never cancels an SDS watch that
   * a context being built has just taken. The lookup of an existing context takes no lock.
   */
  private final Object lifecycle = new Object();
  /**
   * The configs the published config routes to (and those about to be published), or null before the first
   * {@link #retain}. A request still on an older config can ask for a context after it was released: it gets one, but
   * the mesh does not keep it, or nothing would release it until the config next changes.
   */
  private Set<UpstreamTlsConfig> routed;

  MeshSecurity(Map<String, CertificateProvider> providers, ResourceSubscriptions xds, Clock clock) {
    this.providers = Map.copyOf(providers);
    this.sds = xds == null ? null : new SdsSecrets(xds, clock);
    this.clock = clock;
  }

  /**
   * Starts every provider the bootstrap declares; fails fast, naming the field, on an unknown plugin or bad config.
   *
   * @param xds where SDS secrets are fetched, or {@code null} when SDS is not available
   */
  public static MeshSecurity start(Map<String, CertificateProviderConfig> configs, ResourceSubscriptions xds,
      ScheduledExecutorService scheduler, Clock clock) {
    return start(configs, Struct.getDefaultInstance(), xds, scheduler, clock);
  }

  /** As above, with the bootstrap node's metadata (the {@code istio_ca} plugin's default identity comes from it). */
  public static MeshSecurity start(Map<String, CertificateProviderConfig> configs, Struct nodeMetadata,
      ResourceSubscriptions xds, ScheduledExecutorService scheduler, Clock clock) {
    Map<String, CertificateProvider> started = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, CertificateProviderConfig> e : configs.entrySet()) {
        started.put(e.getKey(), CertificateProviders.create(e.getKey(), e.getValue(), nodeMetadata, scheduler, clock));
      }
    } catch (RuntimeException e) {
      started.values().forEach(CertificateProvider::close);
      throw e;
    }
    return new MeshSecurity(started, xds, clock);
  }

  public Set<String> providerInstanceNames() {
    return providers.keySet();
  }

  /** The provider instance, for status and tests; {@code null} if the bootstrap has none by that name. */
  public CertificateProvider provider(String instance) {
    return providers.get(instance);
  }

  /** The TLS context for clusters with {@code config}; the same object for equal configs while they are in use. */
  public UpstreamTls upstream(UpstreamTlsConfig config) throws MaterialUnavailableException {
    UpstreamTls existing = upstreams.get(config);
    if (existing != null) {
      return existing;
    }
    synchronized (lifecycle) {
      UpstreamTls raced = upstreams.get(config);
      if (raced != null) {
        return raced;
      }
      UpstreamTls built = build(config);
      if (routed != null && !routed.contains(config)) {
        retainSecrets();
        return built;
      }
      upstreams.put(config, built);
      return built;
    }
  }

  /**
   * Adds the TLS configs of a config about to be published to those kept, so contexts built for it ahead of its
   * requests stay until the next {@link #retain}.
   */
  public void admit(Set<UpstreamTlsConfig> next) {
    synchronized (lifecycle) {
      if (routed != null) {
        Set<UpstreamTlsConfig> admitted = new HashSet<>(routed);
        admitted.addAll(next);
        routed = admitted;
      }
    }
  }

  /**
   * Releases the TLS contexts of configs no cluster uses any more, and the SDS watches only they needed. A context
   * asked for again later is built afresh; transports that cached the released one (a connection, a channel) keep
   * working with it until they let it go.
   *
   * @param inUse the TLS configs of every cluster the mesh currently routes to
   */
  public void retain(Set<UpstreamTlsConfig> inUse) {
    synchronized (lifecycle) {
      routed = Set.copyOf(inUse);
      upstreams.keySet().removeIf(config -> !inUse.contains(config));
      retainSecrets();
    }
  }

  /**
   * As {@link #retain}, for the server side: releases the TLS of server chains no listener uses any more.
   *
   * @param inUse the TLS configs of every filter chain of every server listener the mesh serves now
   */
  public void retainDownstream(Set<DownstreamTlsConfig> inUse) {
    synchronized (lifecycle) {
      downstreams.keySet().removeIf(config -> !inUse.contains(config));
      retainSecrets();
    }
  }

  private void retainSecrets() {
    if (sds != null) {
      Set<MaterialSource> used = new HashSet<>();
      upstreams.values().forEach(tls -> used.addAll(tls.sources()));
      downstreams.values().forEach(tls -> used.addAll(tls.sources()));
      sds.retain(used);
    }
  }

  /**
   * The server TLS of filter chains with {@code config}: an SSL context over the same rotating key and trust
   * managers as the client side (a rotation applies to the next handshake; open connections keep theirs), and the
   * parameters every connection gets. The same object for equal configs while they are in use. Material that has
   * not arrived yet (an SDS secret) fails handshakes until it does.
   */
  public ServerTls downstream(DownstreamTlsConfig config) throws MaterialUnavailableException {
    Downstream existing = downstreams.get(config);
    if (existing != null) {
      return existing.tls();
    }
    synchronized (lifecycle) {
      Downstream raced = downstreams.get(config);
      if (raced != null) {
        return raced.tls();
      }
      MaterialSource identity = source(config.identity(), true);
      MaterialSource trust = config.trust() == null ? null : source(config.trust(), false);
      List<MaterialSource> sources = new ArrayList<>();
      sources.add(identity);
      if (trust != null && trust != identity) {
        sources.add(trust);
      }
      SSLContext context = sslContext(new RotatingKeyManager(identity),
          new RotatingTrustManager(trust, new SanMatcher(config.sanMatches()), clock));
      SSLParameters parameters = serverParameters(context, config);
      Downstream built = new Downstream(new ServerTls(context, parameters, config.requireClientCertificate()),
          sources);
      downstreams.put(config, built);
      return built.tls();
    }
  }

  private static SSLParameters serverParameters(SSLContext context, DownstreamTlsConfig config) {
    SSLParameters parameters = context.getDefaultSSLParameters();
    parameters.setProtocols(ClusterSslSocketFactory.protocols(config.minVersion(), config.maxVersion()));
    if (!config.cipherSuites().isEmpty()) {
      parameters.setCipherSuites(ClusterSslSocketFactory.withTls13Suites(
          context.getSupportedSSLParameters().getCipherSuites(), config.cipherSuites()));
    }
    if (config.requireClientCertificate()) {
      parameters.setNeedClientAuth(true);
    } else if (config.trust() != null) {
      // Envoy asks for a client certificate whenever it has roots, and checks one that is presented.
      parameters.setWantClientAuth(true);
    }
    return parameters;
  }

  /** How many server TLS contexts are held, for tests that check they follow the listeners. */
  public int downstreamCount() {
    return downstreams.size();
  }

  /** How many TLS contexts and SDS watches are held, for tests that check both follow the config. */
  public int upstreamCount() {
    return upstreams.size();
  }

  public int sdsWatchCount() {
    return sds == null ? 0 : sds.size();
  }

  private UpstreamTls build(UpstreamTlsConfig config) throws MaterialUnavailableException {
    List<MaterialSource> sources = new ArrayList<>();
    MaterialSource identity = config.identity() == null ? null : source(config.identity(), true);
    MaterialSource trust = config.trust() == null ? null : source(config.trust(), false);
    if (identity != null) {
      sources.add(identity);
    }
    if (trust != null && trust != identity) {
      sources.add(trust);
    }
    RotatingTrustManager trustManager = new RotatingTrustManager(trust, new SanMatcher(config.sanMatches()), clock);
    RotatingKeyManager keyManager = identity == null ? null : new RotatingKeyManager(identity);
    SSLContext context = sslContext(keyManager, trustManager);
    ClusterSslSocketFactory factory = new ClusterSslSocketFactory(context, sources, config.minVersion(),
        config.maxVersion(), config.cipherSuites(), config.sni());
    return new UpstreamTls(config, factory, trustManager, keyManager, sources);
  }

  /**
   * A server {@link SSLContext} presenting the provider instance's current certificate and checking client
   * certificates against its current roots (any SAN; authorization is the inbound policy's job). Rotations apply to
   * new handshakes. Ask for client certificates on the server socket or engine
   * ({@code setNeedClientAuth(true)}) for mutual TLS.
   */
  public SSLContext serverSslContext(String instance) {
    CertificateProvider provider = providers.get(instance);
    if (provider == null) {
      throw new MeshConfigurationException("no certificate provider instance '" + instance + "' in the bootstrap "
          + providers.keySet());
    }
    return sslContext(new RotatingKeyManager(provider), new RotatingTrustManager(provider, new SanMatcher(List.of()),
        clock));
  }

  private static SSLContext sslContext(KeyManager keyManager, X509TrustManager trustManager) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManager == null ? null : new KeyManager[] {keyManager}, new TrustManager[] {trustManager}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no TLS", e);
    }
  }

  private MaterialSource source(CertificateSourceRef ref, boolean identity) throws MaterialUnavailableException {
    if (ref instanceof CertificateSourceRef.ProviderInstance instance) {
      CertificateProvider provider = providers.get(instance.instanceName());
      if (provider == null) {
        throw new MaterialUnavailableException("certificate provider instance '" + instance.instanceName()
            + "' is not in the bootstrap");
      }
      return provider;
    }
    if (ref instanceof CertificateSourceRef.SdsSecret secret) {
      if (sds == null) {
        throw new MaterialUnavailableException("SDS secret '" + secret.name() + "': no xDS client");
      }
      return sds.source(secret.name(), identity);
    }
    if (ref instanceof CertificateSourceRef.InlinePem pem) {
      return roots(pem.pem().getBytes(java.nio.charset.StandardCharsets.US_ASCII), "inline trusted_ca");
    }
    if (ref instanceof CertificateSourceRef.PemFile file) {
      try {
        return roots(Files.readAllBytes(Path.of(file.path())), "trusted_ca " + file.path());
      } catch (IOException e) {
        throw new MaterialUnavailableException("trusted_ca " + file.path() + ": " + e);
      }
    }
    return systemRoots();
  }

  private static MaterialSource roots(byte[] pem, String what) throws MaterialUnavailableException {
    try {
      return new FixedMaterialSource(CertificateMaterial.roots(PemMaterial.certificates(pem, what)), what);
    } catch (MaterialException e) {
      throw new MaterialUnavailableException(e.getMessage());
    }
  }

  private static MaterialSource systemRoots() throws MaterialUnavailableException {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init((KeyStore) null);
      for (TrustManager tm : factory.getTrustManagers()) {
        if (tm instanceof X509TrustManager x509) {
          List<X509Certificate> roots = Arrays.asList(x509.getAcceptedIssuers());
          return new FixedMaterialSource(CertificateMaterial.roots(roots), "the JDK's system roots");
        }
      }
    } catch (GeneralSecurityException e) {
      throw new MaterialUnavailableException("system roots: " + e);
    }
    throw new MaterialUnavailableException("system roots: the JDK has no X.509 trust manager");
  }

  @Override
  public void close() {
    providers.values().forEach(CertificateProvider::close);
    if (sds != null) {
      sds.close();
    }
  }
}

package io.mesh4j.runtime.security;

import com.google.protobuf.Struct;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bootstrap's {@code istio_ca} plugin (see {@link IstioCaConfig}): gets the workload certificate from Istio's CA
 * API the way Istio's agent does, keeping the key in memory.
 *
 * <p>Each request makes a fresh key pair and a CSR for the SPIFFE identity and calls {@code CreateCertificate} over
 * TLS, checking the CA against {@code ca_root_file}. The first certificate (and any request while the current one
 * has expired) is authenticated with {@code authorization: Bearer <token_file>}, the token re-read every time since
 * Kubernetes rotates it; renewals present the current certificate instead (mutual TLS to the CA), falling back to
 * the token when the CA refuses that certificate. A renewal is
 * due when {@code rotation_fraction} of the certificate's lifetime has passed. When the CA fails, the request is
 * retried with jittered exponential back-off, and the current certificate stays in force as long as it lasts.
 * Issued material is checked (key matches, chain signs in order, valid now, the requested SPIFFE ID) before it is
 * published; the trust bundle published with it is {@code ca_root_file}.
 *
 * <p>Requests run on the provider's own thread, so a slow CA never stalls the xDS client. Keys and tokens are
 * never logged.
 */
final class IstioCaCertificateProvider implements CertificateProvider {
  static final String PLUGIN_NAME = IstioCaConfig.PLUGIN_NAME;
  private static final Logger log = LoggerFactory.getLogger(IstioCaCertificateProvider.class);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String instance;
  private final IstioCaConfig config;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Clock clock;
  private final DoubleSupplier random;
  private final PublishedMaterial published = new PublishedMaterial();
  private final AtomicLong issued = new AtomicLong();
  private volatile String lastError;
  private volatile Instant nextAttempt;
  private volatile Instant plannedRenewal;
  private int consecutiveFailures;
  /** The CA refused our certificate for a renewal: authenticate with the token again until a success. */
  private volatile boolean tokenNext;
  private ScheduledFuture<?> pending;
  private boolean closed;

  IstioCaCertificateProvider(String instance, IstioCaConfig config, ScheduledExecutorService scheduler,
      boolean ownsScheduler, Clock clock, DoubleSupplier random) {
    this.instance = instance;
    this.config = config;
    this.scheduler = scheduler;
    this.ownsScheduler = ownsScheduler;
    this.clock = clock;
    this.random = random;
    schedule(Duration.ZERO);
  }

  static IstioCaCertificateProvider fromConfig(String instance, Map<String, Object> config, Struct nodeMetadata,
      Clock clock) {
    IstioCaConfig parsed = IstioCaConfig.parse(instance, config, nodeMetadata);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "mesh4j-istio-ca-" + instance);
      thread.setDaemon(true);
      return thread;
    });
    return new IstioCaCertificateProvider(instance, parsed, scheduler, true, clock,
        () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());
  }

  private synchronized void schedule(Duration delay) {
    if (closed) {
      return;
    }
    nextAttempt = clock.instant().plus(delay);
    pending = scheduler.schedule(this::attempt, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** One request to the CA; schedules the next one (renewal or retry) whatever happens. */
  void attempt() {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    Duration next;
    try {
      CertificateMaterial material = issue();
      Instant renewAt = renewalTime(material.certificateChain().get(0), config.rotationFraction());
      plannedRenewal = renewAt;
      tokenNext = false;
      lastError = null;
      consecutiveFailures = 0;
      issued.incrementAndGet();
      published.publish(material);
      next = max(Duration.between(clock.instant(), renewAt), config.retryInitialBackoff());
      log.info("certificate provider '{}': the CA issued {}; renewing in {}", instance, material, next);
    } catch (MaterialException | RuntimeException e) {
      published.failed();
      lastError = e.getMessage();
      next = backoff(consecutiveFailures++);
      CertificateMaterial current = published.current();
      log.warn("certificate provider '{}': {}; keeping {}; retrying in {}", instance, e.getMessage(),
          current == null ? "nothing (no certificate yet)" : current, next);
    }
    schedule(next);
  }

  private CertificateMaterial issue() throws MaterialException {
    String rootsWhere = "ca_root_file " + config.caRootFile();
    List<X509Certificate> roots;
    try {
      roots = PemMaterial.certificates(Files.readAllBytes(config.caRootFile()), rootsWhere);
    } catch (IOException e) {
      throw new MaterialException(rootsWhere + ": cannot read (" + e.getClass().getSimpleName() + ")");
    }
    Instant now = clock.instant();
    PemMaterial.checkRoots(roots, now);
    CertificateMaterial current = published.current();
    boolean renewal = !tokenNext && current != null
        && current.certificateChain().get(0).getNotAfter().toInstant().isAfter(now);
    Metadata headers = new Metadata();
    if (!renewal) {
      headers.put(AUTHORIZATION, "Bearer " + readToken());
    }
    KeyPair keys = config.keyType().generate();
    String csr = CertificateSigningRequests.csrPem(keys, config.keyType(), config.identity());
    ManagedChannel channel = channel(roots, renewal ? current : null);
    IstioCaProtocol.Response response;
    try {
      Channel withHeaders = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
      response = ClientCalls.blockingUnaryCall(withHeaders, IstioCaProtocol.CREATE_CERTIFICATE,
          CallOptions.DEFAULT.withDeadlineAfter(config.requestTimeout().toNanos(), TimeUnit.NANOSECONDS),
          new IstioCaProtocol.Request(csr, config.validity().toSeconds(), null));
    } catch (StatusRuntimeException e) {
      if (renewal && (e.getStatus().getCode() == io.grpc.Status.Code.UNAUTHENTICATED
          || e.getStatus().getCode() == io.grpc.Status.Code.PERMISSION_DENIED)) {
        tokenNext = true;
      }
      throw new MaterialException("CA " + config.address() + " refused the " + (renewal ? "renewal (client "
          + "certificate)" : "first request (bearer token)") + ": " + e.getStatus().getCode()
          + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()));
    } finally {
      channel.shutdownNow();
    }
    if (response.certChain().isEmpty()) {
      throw new MaterialException("CA " + config.address() + " answered with an empty cert_chain");
    }
    List<X509Certificate> chain = PemMaterial.certificates(
        String.join("\n", response.certChain()).getBytes(StandardCharsets.US_ASCII), "the CA's cert_chain");
    PemMaterial.checkIdentity(keys.getPrivate(), chain, clock.instant());
    if (!hasUri(chain.get(0), config.identity())) {
      throw new MaterialException("the CA's certificate " + PemMaterial.subject(chain.get(0)) + " lacks the URI SAN "
          + config.identity());
    }
    return new CertificateMaterial(keys.getPrivate(), chain, roots);
  }

  private String readToken() throws MaterialException {
    try {
      String token = Files.readString(config.tokenFile(), StandardCharsets.US_ASCII).strip();
      if (token.isEmpty()) {
        throw new MaterialException("token_file " + config.tokenFile() + " is empty");
      }
      return token;
    } catch (IOException e) {
      throw new MaterialException("token_file " + config.tokenFile() + ": cannot read (" + e.getClass().getSimpleName()
          + ")");
    }
  }

  /** A one-request channel: a renewal must present the certificate in force now, on a new connection. */
  private ManagedChannel channel(List<X509Certificate> roots, CertificateMaterial clientIdentity) {
    TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder();
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < roots.size(); i++) {
        store.setCertificateEntry("root-" + i, roots.get(i));
      }
      // The JDK's trust manager also checks the CA's host name against the authority.
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      credentials.trustManager(factory.getTrustManagers());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a trust store for the CA's roots", e);
    }
    if (clientIdentity != null) {
      credentials.keyManager(new RotatingKeyManager(new FixedMaterialSource(clientIdentity, "current certificate")));
    }
    ManagedChannelBuilder<?> builder = Grpc.newChannelBuilderForAddress(config.host(), config.port(),
        credentials.build());
    builder.overrideAuthority(config.effectiveAuthority() + ":" + config.port());
    return builder.build();
  }

  private static boolean hasUri(X509Certificate cert, String uri) {
    try {
      Collection<List<?>> names = cert.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (Integer.valueOf(6).equals(name.get(0)) && uri.equals(name.get(1))) {
            return true;
          }
        }
      }
    } catch (CertificateParsingException e) {
      return false;
    }
    return false;
  }

  /** When {@code fraction} of the certificate's lifetime has passed (Istio's agent renews at half, by default). */
  static Instant renewalTime(X509Certificate leaf, double fraction) {
    Instant from = leaf.getNotBefore().toInstant();
    long lifetimeMillis = leaf.getNotAfter().getTime() - leaf.getNotBefore().getTime();
    return from.plusMillis((long) (lifetimeMillis * fraction));
  }

  /** Exponential, capped, with equal jitter: half the step fixed, half random, so retries of many pods spread. */
  Duration backoff(int failuresSoFar) {
    long initial = config.retryInitialBackoff().toNanos();
    long cap = config.retryMaxBackoff().toNanos();
    long step = failuresSoFar >= 62 ? cap : Math.min(cap, initial << Math.min(failuresSoFar, 30));
    if (step < 0) {
      step = cap;
    }
    return Duration.ofNanos(step / 2 + (long) (random.getAsDouble() * (step / 2)));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** How many certificates the CA has issued to this provider. */
  long issuedCount() {
    return issued.get();
  }

  /** The last CA failure's message, or {@code null} after a success. */
  String lastError() {
    return lastError;
  }

  /** When the current certificate is due for renewal (its rotation fraction), or {@code null} before the first. */
  Instant plannedRenewal() {
    return plannedRenewal;
  }

  /** When the next request (renewal or retry) is due. */
  Instant nextAttempt() {
    return nextAttempt;
  }

  @Override
  public CertificateMaterial current() {
    return published.current();
  }

  @Override
  public CompletableFuture<Void> ready() {
    return published.ready();
  }

  @Override
  public long failures() {
    return published.failures();
  }

  @Override
  public String description() {
    String error = lastError;
    return "certificate provider instance '" + instance + "' (istio_ca at " + config.address()
        + (error == null ? "" : "; last CA request failed: " + error) + ")";
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (pending != null) {
      pending.cancel(false);
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }
}

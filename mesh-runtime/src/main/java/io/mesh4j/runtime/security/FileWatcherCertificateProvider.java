package io.mesh4j.runtime.security;

import io.mesh4j.MeshConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bootstrap's {@code file_watcher} plugin, as gRPC defines it: {@code certificate_file} and
 * {@code private_key_file} (both or neither), {@code ca_certificate_file}, {@code refresh_interval} (default 600 s).
 * These are the files Istio's agent writes ({@code /var/lib/istio/data/cert-chain.pem}, {@code key.pem},
 * {@code root-cert.pem}).
 *
 * <p>Every refresh reads all files; when their bytes changed, the new material is parsed and checked (the key
 * matches the leaf, the chain is signed in order and valid now, the bundle has a root valid now) before it is
 * published. A half-written or bad set of files is logged once per distinct content, counted, and never replaces
 * good material; it is tried again when the files change. Keys are never logged.
 */
final class FileWatcherCertificateProvider implements CertificateProvider {
  static final String PLUGIN_NAME = "file_watcher";
  static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(600);

  private static final Logger log = LoggerFactory.getLogger(FileWatcherCertificateProvider.class);

  private final String instance;
  private final Path certificateFile;
  private final Path privateKeyFile;
  private final Path caCertificateFile;
  private final Clock clock;
  private final PublishedMaterial published = new PublishedMaterial();
  private final ScheduledFuture<?> refresher;
  /** Contents last acted on (published or refused), so unchanged files are not parsed again. */
  private byte[][] lastSeen;
  private boolean unreadableReported;

  FileWatcherCertificateProvider(String instance, Path certificateFile, Path privateKeyFile, Path caCertificateFile,
      Duration refreshInterval, ScheduledExecutorService scheduler, Clock clock) {
    if ((certificateFile == null) != (privateKeyFile == null)) {
      throw new IllegalArgumentException("certificate_file and private_key_file go together");
    }
    if (certificateFile == null && caCertificateFile == null) {
      throw new IllegalArgumentException("no file to watch");
    }
    this.instance = instance;
    this.certificateFile = certificateFile;
    this.privateKeyFile = privateKeyFile;
    this.caCertificateFile = caCertificateFile;
    this.clock = clock;
    refresh();
    long nanos = refreshInterval.toNanos();
    this.refresher = scheduler == null ? null
        : scheduler.scheduleWithFixedDelay(this::refreshQuietly, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /** Builds the provider from its bootstrap {@code config}; errors name the field. */
  static FileWatcherCertificateProvider fromConfig(String instance, Map<String, Object> config,
      ScheduledExecutorService scheduler, Clock clock) {
    String where = "certificate_providers." + instance + ".config.";
    for (String key : config.keySet()) {
      if (!List.of("certificate_file", "private_key_file", "ca_certificate_file", "refresh_interval").contains(key)) {
        throw new MeshConfigurationException(where + key + ": unknown field of the file_watcher plugin");
      }
    }
    Path cert = path(config, "certificate_file", where);
    Path key = path(config, "private_key_file", where);
    Path ca = path(config, "ca_certificate_file", where);
    if ((cert == null) != (key == null)) {
      throw new MeshConfigurationException(where + "certificate_file and private_key_file must be set together");
    }
    if (cert == null && ca == null) {
      throw new MeshConfigurationException(where + "needs certificate_file and private_key_file, or ca_certificate_file");
    }
    Duration refresh = DEFAULT_REFRESH_INTERVAL;
    Object interval = config.get("refresh_interval");
    if (interval != null) {
      refresh = Durations.parse(interval, where + "refresh_interval");
      if (refresh.isZero() || refresh.isNegative()) {
        throw new MeshConfigurationException(where + "refresh_interval: must be positive");
      }
    }
    return new FileWatcherCertificateProvider(instance, cert, key, ca, refresh, scheduler, clock);
  }

  private static Path path(Map<String, Object> config, String key, String where) {
    Object value = config.get(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s) || s.isEmpty()) {
      throw new MeshConfigurationException(where + key + ": must be a non-empty string");
    }
    return Path.of(s);
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      published.failed();
      log.warn("certificate provider '{}': refresh failed: {}", instance, e.toString());
    }
  }

  /** Reads the files and publishes them if they changed and are good. Runs on the scheduler (tests call it). */
  synchronized void refresh() {
    byte[][] contents;
    try {
      contents = new byte[][] {read(certificateFile), read(privateKeyFile), read(caCertificateFile)};
    } catch (IOException e) {
      // A missing file during a swap, or not written yet: try again next time; say so once per streak.
      published.failed();
      if (!unreadableReported) {
        unreadableReported = true;
        log.warn("certificate provider '{}': cannot read its files: {}", instance, e.toString());
      }
      return;
    }
    unreadableReported = false;
    if (lastSeen != null && Arrays.deepEquals(contents, lastSeen)) {
      return;
    }
    lastSeen = contents;
    try {
      CertificateMaterial material = load(contents);
      published.publish(material);
      log.info("certificate provider '{}': loaded {}", instance, material);
    } catch (MaterialException e) {
      published.failed();
      log.warn("certificate provider '{}': refused new files, keeping {}: {}", instance,
          published.current() == null ? "nothing (none loaded yet)" : published.current(), e.getMessage());
    }
  }

  private CertificateMaterial load(byte[][] contents) throws MaterialException {
    PrivateKey key = null;
    List<X509Certificate> chain = List.of();
    List<X509Certificate> roots = List.of();
    if (certificateFile != null) {
      chain = PemMaterial.certificates(contents[0], "certificate_file " + certificateFile);
      key = PemMaterial.privateKey(contents[1], "private_key_file " + privateKeyFile);
      PemMaterial.checkIdentity(key, chain, clock.instant());
    }
    if (caCertificateFile != null) {
      roots = PemMaterial.certificates(contents[2], "ca_certificate_file " + caCertificateFile);
      PemMaterial.checkRoots(roots, clock.instant());
    }
    return new CertificateMaterial(key, chain, roots);
  }

  private static byte[] read(Path file) throws IOException {
    return file == null ? new byte[0] : Files.readAllBytes(file);
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
    return "certificate provider instance '" + instance + "' (file_watcher)";
  }

  @Override
  public void close() {
    if (refresher != null) {
      refresher.cancel(false);
    }
  }
}

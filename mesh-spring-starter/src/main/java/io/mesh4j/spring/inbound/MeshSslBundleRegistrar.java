package io.mesh4j.spring.inbound;

import io.mesh4j.runtime.security.CertificateMaterial;
import io.mesh4j.runtime.security.CertificateProvider;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.ssl.SslBundleRegistry;

/**
 * Registers the SSL bundle {@code mesh} (the workload certificate of a bootstrap certificate provider instance) and
 * updates it each time the provider publishes new material, so Boot's web servers (Tomcat, Netty; Jetty as Boot
 * supports) take the new certificate for new handshakes without a restart.
 *
 * <p>Providers publish a new generation by replacing one immutable object, with no callback; this checks that
 * reference every {@link #CHECK_INTERVAL}, a volatile read, so a rotation reaches the web server within it.
 */
public final class MeshSslBundleRegistrar implements SslBundleRegistrar, DisposableBean {
  static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
  private static final Logger log = LoggerFactory.getLogger(MeshSslBundleRegistrar.class);

  private final CertificateProvider provider;
  private final String instance;
  private final Duration materialWait;
  private ScheduledExecutorService checker;
  private CertificateMaterial registered;

  MeshSslBundleRegistrar(CertificateProvider provider, String instance, Duration materialWait) {
    this.provider = provider;
    this.instance = instance;
    this.materialWait = materialWait;
  }

  /** Registers nothing: the bootstrap has no certificate provider to make the bundle from (or several, none chosen). */
  static MeshSslBundleRegistrar none() {
    return new MeshSslBundleRegistrar(null, null, Duration.ZERO);
  }

  @Override
  public synchronized void registerBundles(SslBundleRegistry registry) {
    if (provider == null || checker != null) {
      return;
    }
    registered = firstMaterial();
    registry.registerBundle(MeshSslBundle.NAME, MeshSslBundle.of(registered, instance));
    checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "mesh4j-ssl-bundle");
      thread.setDaemon(true);
      return thread;
    });
    long nanos = CHECK_INTERVAL.toNanos();
    checker.scheduleWithFixedDelay(() -> update(registry), nanos, nanos, TimeUnit.NANOSECONDS);
  }

  private CertificateMaterial firstMaterial() {
    try {
      provider.ready().get(materialWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("certificate provider instance '" + instance + "' has no certificate after "
          + materialWait + " (mesh.listener-wait), so the 'mesh' SSL bundle cannot be made", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("certificate provider instance '" + instance + "' failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the workload certificate", e);
    }
    return provider.current();
  }

  private void update(SslBundleRegistry registry) {
    CertificateMaterial current = provider.current();
    if (current == registered || current == null) {
      return;
    }
    registered = current;
    try {
      registry.updateBundle(MeshSslBundle.NAME, MeshSslBundle.of(current, instance));
      log.info("SSL bundle 'mesh' updated from certificate provider instance '{}': {}", instance, current);
    } catch (RuntimeException e) {
      // The web server keeps the certificate it has until the provider's next generation.
      log.warn("SSL bundle 'mesh' could not be updated: {}", e.toString());
    }
  }

  @Override
  public synchronized void destroy() {
    if (checker != null) {
      checker.shutdownNow();
    }
  }
}

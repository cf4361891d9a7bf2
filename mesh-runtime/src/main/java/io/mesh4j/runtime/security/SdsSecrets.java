package io.mesh4j.runtime.security;

import io.mesh4j.runtime.xds.ResourceSubscriptions;
import io.mesh4j.runtime.xds.ResourceWatcher;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SDS secrets over the ADS stream, one watch per secret name, shared by every TLS context naming it. A secret the
 * control plane NACKed never arrives here; one that is structurally fine but expired, or of the wrong kind for its
 * use, is logged, counted and not published, and the previous value keeps serving.
 */
final class SdsSecrets implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SdsSecrets.class);

  private final ResourceSubscriptions xds;
  private final Clock clock;
  private final Map<String, SecretSource> sources = new ConcurrentHashMap<>();

  SdsSecrets(ResourceSubscriptions xds, Clock clock) {
    this.xds = xds;
    this.clock = clock;
  }

  MaterialSource source(String name, boolean identity) {
    return sources.computeIfAbsent(name + (identity ? "#identity" : "#roots"), key -> {
      SecretSource source = new SecretSource(name, identity);
      xds.watch(SecretType.INSTANCE, name, source);
      return source;
    });
  }

  /** Cancels the watches of secrets no context in {@code used} reads. */
  void retain(Set<MaterialSource> used) {
    sources.values().removeIf(source -> {
      if (used.contains(source)) {
        return false;
      }
      xds.cancelWatch(SecretType.INSTANCE, source.name, source);
      return true;
    });
  }

  int size() {
    return sources.size();
  }

  @Override
  public void close() {
    sources.values().forEach(s -> xds.cancelWatch(SecretType.INSTANCE, s.name, s));
    sources.clear();
  }

  private final class SecretSource implements MaterialSource, ResourceWatcher<SecretResource> {
    private final String name;
    private final boolean identity;
    private final PublishedMaterial published = new PublishedMaterial();

    SecretSource(String name, boolean identity) {
      this.name = name;
      this.identity = identity;
    }

    @Override
    public void onChanged(SecretResource value) {
      CertificateMaterial material = value.material();
      try {
        if (identity) {
          if (!material.hasIdentity()) {
            throw new MaterialException("is a validation context, a tls_certificate is needed here");
          }
          PemMaterial.checkIdentity(material.privateKey(), material.certificateChain(), clock.instant());
        } else {
          if (!material.hasRoots()) {
            throw new MaterialException("is a tls_certificate, a validation_context is needed here");
          }
          PemMaterial.checkRoots(material.trustedCertificates(), clock.instant());
        }
      } catch (MaterialException e) {
        published.failed();
        log.warn("SDS secret '{}' refused, keeping the previous one: {}", name, e.getMessage());
        return;
      }
      published.publish(material);
      log.info("SDS secret '{}': loaded {}", name, material);
    }

    @Override
    public void onResourceDoesNotExist(String resourceName) {
      // Envoy keeps the last secret when it is removed; so do we. Handshakes before the first one fail.
      log.warn("SDS secret '{}' does not exist", name);
    }

    @Override
    public void onError(String detail) {
      // The last good secret stays in force.
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
    public String description() {
      return "SDS secret '" + name + "'";
    }
  }
}

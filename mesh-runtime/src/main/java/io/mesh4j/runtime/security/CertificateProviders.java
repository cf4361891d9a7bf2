package io.mesh4j.runtime.security;

import com.google.protobuf.Struct;
import io.mesh4j.MeshConfigurationException;
import io.mesh4j.runtime.bootstrap.CertificateProviderConfig;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/** Makes a provider from its bootstrap entry, by {@code plugin_name}. */
final class CertificateProviders {
  private CertificateProviders() {}

  /** {@code nodeMetadata}: the bootstrap node's metadata, where {@code istio_ca} finds the default identity. */
  static CertificateProvider create(String instance, CertificateProviderConfig config, Struct nodeMetadata,
      ScheduledExecutorService scheduler, Clock clock) {
    switch (config.pluginName()) {
      case FileWatcherCertificateProvider.PLUGIN_NAME:
        return FileWatcherCertificateProvider.fromConfig(instance, config.config(), scheduler, clock);
      case IstioCaCertificateProvider.PLUGIN_NAME:
        return IstioCaCertificateProvider.fromConfig(instance, config.config(), nodeMetadata, clock);
      default:
        throw new MeshConfigurationException("certificate_providers." + instance + ".plugin_name: '"
            + config.pluginName() + "' is not supported (file_watcher, istio_ca)");
    }
  }
}

package io.mesh4j.runtime.metrics.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mesh4j.runtime.security.CertificateMaterial;
import io.mesh4j.runtime.security.CertificateProvider;
import io.mesh4j.runtime.security.MeshSecurity;
import java.security.cert.X509Certificate;
import java.time.Clock;

/**
 * Per certificate provider instance: {@code mesh4j_certificate_expiry_seconds}, the seconds until the workload
 * certificate expires (negative once expired, absent while none is loaded), and
 * {@code mesh4j_certificate_rotations}, how many times the provider's material was replaced. Rotations are noticed
 * when read (at scrape time); certificates rotate hours apart, so none is missed between two scrapes.
 */
final class CertificateMeters {
  private CertificateMeters() {}

  static void bind(MeterRegistry registry, MeshSecurity security, Clock clock) {
    for (String name : security.providerInstanceNames()) {
      CertificateProvider provider = security.provider(name);
      Tags tags = Tags.of("provider", name);
      Gauge.builder("mesh4j_certificate_expiry_seconds", provider, p -> secondsLeft(p.current(), clock))
          .description("Seconds until the workload certificate expires").tags(tags).register(registry);
      Rotations rotations = new Rotations(provider);
      FunctionCounter.builder("mesh4j_certificate_rotations", rotations, Rotations::count)
          .description("Times the certificate material was replaced").tags(tags).register(registry);
    }
  }

  private static double secondsLeft(CertificateMaterial material, Clock clock) {
    if (material == null || !material.hasIdentity() || material.certificateChain().isEmpty()) {
      return Double.NaN;
    }
    X509Certificate leaf = material.certificateChain().get(0);
    return (leaf.getNotAfter().getTime() - clock.millis()) / 1000.0;
  }

  /** Counts changes of the provider's published material. */
  private static final class Rotations {
    private final CertificateProvider provider;
    private CertificateMaterial last;
    private long count;

    Rotations(CertificateProvider provider) {
      this.provider = provider;
      this.last = provider.current();
    }

    synchronized double count() {
      CertificateMaterial now = provider.current();
      if (now != last) {
        if (last != null) {
          count++;
        }
        last = now;
      }
      return count;
    }
  }
}

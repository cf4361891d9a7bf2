package io.mesh4j.spring.actuate;

import io.mesh4j.Mesh;
import io.mesh4j.MeshStatus;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.MeshInternals;
import io.mesh4j.runtime.security.CertificateMaterial;
import io.mesh4j.runtime.security.MeshSecurity;
import io.mesh4j.spring.MeshWarmUp;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code mesh} health: DOWN while the control plane has not answered (for the warm-up targets, or for anything
 * subscribed), while a bootstrap certificate provider has no certificate or only an expired one, or while a
 * resource is rejected with no earlier version to fall back on. A rejected resource whose last good version keeps
 * serving leaves it UP, listed under {@code nacked}. Part of the readiness group, so traffic waits for the mesh.
 */
public class MeshHealthIndicator implements HealthIndicator {
  private final Mesh mesh;
  private final MeshWarmUp warmUp;
  private final Clock clock;

  public MeshHealthIndicator(Mesh mesh, MeshWarmUp warmUp, Clock clock) {
    this.mesh = Objects.requireNonNull(mesh, "mesh");
    this.warmUp = Objects.requireNonNull(warmUp, "warmUp");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Health health() {
    MeshStatus status = mesh.status();
    List<String> problems = new ArrayList<>();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("controlPlane", status.controlPlane());
    details.put("connected", status.connected());
    details.put("resources", status.resources().size());

    boolean answered = status.connected()
        || status.resources().stream().anyMatch(resource -> resource.state() != ResourceState.REQUESTED);
    if (!status.resources().isEmpty() && !answered) {
      problems.add("the control plane has not answered yet");
    }
    Map<String, Boolean> warmUpAnswered = warmUp.answered();
    if (!warmUpAnswered.isEmpty()) {
      details.put("warmUpTargets", warmUpAnswered);
      warmUpAnswered.forEach((target, done) -> {
        if (!done) {
          problems.add("no configuration for " + target + " yet");
        }
      });
    }

    Map<String, String> nacked = new LinkedHashMap<>();
    for (ResourceStatus resource : status.resources()) {
      if (resource.state() == ResourceState.NACKED) {
        String name = MeshStatusView.shortType(resource.typeUrl()) + " " + resource.name();
        nacked.put(name, resource.errorDetail());
        if (resource.version().isEmpty()) {
          problems.add(name + " was rejected and no earlier version was accepted");
        }
      }
    }
    if (!nacked.isEmpty()) {
      details.put("nacked", nacked);
    }

    if (mesh instanceof MeshInternals internals) {
      details.put("certificates", certificates(internals.security(), problems));
    }
    if (!problems.isEmpty()) {
      details.put("problems", problems);
      return Health.down().withDetails(details).build();
    }
    return Health.up().withDetails(details).build();
  }

  private Map<String, Object> certificates(MeshSecurity security, List<String> problems) {
    Map<String, Object> certificates = new LinkedHashMap<>();
    Instant now = clock.instant();
    for (String instance : security.providerInstanceNames()) {
      CertificateMaterial material = security.provider(instance).current();
      if (material == null) {
        problems.add("certificate provider '" + instance + "' has no certificate yet");
        certificates.put(instance, "missing");
        continue;
      }
      if (!material.hasIdentity()) {
        certificates.put(instance, Map.of("roots", material.trustedCertificates().size()));
        continue;
      }
      X509Certificate leaf = material.certificateChain().get(0);
      Instant notAfter = leaf.getNotAfter().toInstant();
      if (notAfter.isBefore(now)) {
        problems.add("certificate provider '" + instance + "' has only a certificate that expired at " + notAfter);
      }
      certificates.put(instance, Map.of("subject", leaf.getSubjectX500Principal().getName(), "notAfter",
          notAfter.toString()));
    }
    return certificates;
  }
}

package io.mesh4j.runtime.security;

import java.util.Objects;

/**
 * An SDS secret: a {@code tls_certificate} (key and chain) or a {@code validation_context} (trust bundle), parsed
 * and checked at decode so a bad secret is NACKed and never used.
 */
public record SecretResource(String name, CertificateMaterial material) {
  public SecretResource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(material, "material");
  }
}

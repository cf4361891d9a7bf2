package io.mesh4j.runtime.security;

import java.util.concurrent.CompletableFuture;

/** Material that does not change: inline or file {@code trusted_ca}, the JDK's roots. */
final class FixedMaterialSource implements MaterialSource {
  private final CertificateMaterial material;
  private final String description;

  FixedMaterialSource(CertificateMaterial material, String description) {
    this.material = material;
    this.description = description;
  }

  @Override
  public CertificateMaterial current() {
    return material;
  }

  @Override
  public CompletableFuture<Void> ready() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public String description() {
    return description;
  }
}

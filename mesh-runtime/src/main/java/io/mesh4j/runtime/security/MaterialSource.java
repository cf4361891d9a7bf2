package io.mesh4j.runtime.security;

import java.util.concurrent.CompletableFuture;

/**
 * Where the current certificate material comes from: a certificate provider, an SDS secret, or fixed roots.
 * Read on every handshake, so {@link #current()} must be a cheap volatile read.
 */
public interface MaterialSource {

  /** The material in force, or {@code null} while none has been loaded yet. */
  CertificateMaterial current();

  /** Completes when the first good material is published (already complete for fixed material). */
  CompletableFuture<Void> ready();

  /** For messages: e.g. "certificate provider instance 'default'". */
  String description();
}

package io.mesh4j.runtime.security;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** The publishing half every provider shares: one volatile generation, a ready future, a failure counter. */
final class PublishedMaterial {
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final AtomicLong failures = new AtomicLong();
  private volatile CertificateMaterial current;

  CertificateMaterial current() {
    return current;
  }

  void publish(CertificateMaterial material) {
    current = material;
    ready.complete(null);
  }

  void failed() {
    failures.incrementAndGet();
  }

  long failures() {
    return failures.get();
  }

  CompletableFuture<Void> ready() {
    return ready;
  }
}

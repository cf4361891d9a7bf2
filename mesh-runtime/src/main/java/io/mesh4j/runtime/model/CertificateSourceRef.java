package io.mesh4j.runtime.model;

import java.util.Objects;

/** Where a TLS context's certificate or trust material comes from, as the control plane named it. */
public sealed interface CertificateSourceRef {

  /** A bootstrap {@code certificate_providers} instance (checked to exist when the cluster is decoded). */
  record ProviderInstance(String instanceName, String certificateName) implements CertificateSourceRef {
    public ProviderInstance {
      Objects.requireNonNull(instanceName, "instanceName");
      Objects.requireNonNull(certificateName, "certificateName");
    }
  }

  /** An SDS {@code Secret} over the ADS stream. */
  record SdsSecret(String name) implements CertificateSourceRef {
    public SdsSecret {
      Objects.requireNonNull(name, "name");
    }
  }

  /** {@code trusted_ca} given inline (PEM). */
  record InlinePem(String pem) implements CertificateSourceRef {
    public InlinePem {
      Objects.requireNonNull(pem, "pem");
    }

    @Override
    public String toString() {
      return "InlinePem(" + pem.length() + " chars)";
    }
  }

  /** {@code trusted_ca.filename}: read when the context is built. */
  record PemFile(String path) implements CertificateSourceRef {
    public PemFile {
      Objects.requireNonNull(path, "path");
    }
  }

  /** {@code system_root_certs}: the JDK's default trust store. */
  record SystemRoots() implements CertificateSourceRef {}
}

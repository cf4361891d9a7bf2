package io.mesh4j.runtime.security;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** Turns the PEM of an SDS {@code Secret} into material, for the secret decoder; messages never quote keys. */
public final class SecretMaterials {
  private SecretMaterials() {}

  /** A certificate chain and its key; checks the key belongs to the leaf (validity is checked when used). */
  public static CertificateMaterial identity(String chainPem, String keyPem) throws IllegalArgumentException {
    try {
      List<X509Certificate> chain =
          PemMaterial.certificates(chainPem.getBytes(StandardCharsets.US_ASCII), "certificate_chain");
      PrivateKey key = PemMaterial.privateKey(keyPem.getBytes(StandardCharsets.US_ASCII), "private_key");
      if (!PemMaterial.keyMatches(key, chain.get(0).getPublicKey())) {
        throw new IllegalArgumentException("private_key: does not match certificate_chain[0]");
      }
      return CertificateMaterial.identity(key, chain);
    } catch (MaterialException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  /** A trust bundle. */
  public static CertificateMaterial roots(String pem) throws IllegalArgumentException {
    try {
      return CertificateMaterial.roots(PemMaterial.certificates(pem.getBytes(StandardCharsets.US_ASCII), "trusted_ca"));
    } catch (MaterialException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }
}

package io.mesh4j.runtime.security;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Key pairs and PKCS#10 requests as Istio's agent makes them: an empty subject and the workload's SPIFFE ID as the
 * only (critical) URI SAN. The private key never leaves memory.
 */
final class CertificateSigningRequests {
  private CertificateSigningRequests() {}

  /** {@code key_type} values. */
  enum KeyType {
    EC_P256, RSA_2048;

    KeyPair generate() {
      try {
        if (this == EC_P256) {
          KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
          generator.initialize(new ECGenParameterSpec("secp256r1"));
          return generator.generateKeyPair();
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK cannot generate " + this + " keys", e);
      }
    }

    String signatureAlgorithm() {
      return this == EC_P256 ? "SHA256withECDSA" : "SHA256withRSA";
    }
  }

  /** A PEM {@code CERTIFICATE REQUEST} for {@code spiffeId}, signed by {@code keys}. */
  static String csrPem(KeyPair keys, KeyType type, String spiffeId) {
    try {
      ExtensionsGenerator extensions = new ExtensionsGenerator();
      // With an empty subject the SAN carries the identity, so it must be critical (RFC 5280 4.2.1.6).
      extensions.addExtension(Extension.subjectAlternativeName, true,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId)));
      PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), keys.getPublic())
          .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
          .build(new JcaContentSignerBuilder(type.signatureAlgorithm()).build(keys.getPrivate()));
      StringWriter out = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
        writer.writeObject(csr);
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign a CSR with " + type, e);
    }
  }
}

package io.mesh4j.runtime.security;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads PEM certificates and keys (PKCS#8, PKCS#1 RSA and SEC1 EC, as Istio's agent and cert-manager write them)
 * and checks material before anyone may use it. Error messages never contain key bytes.
 */
final class PemMaterial {
  private PemMaterial() {}

  /** Every certificate in {@code pem}, in order; fails when there is none or anything else is in it. */
  static List<X509Certificate> certificates(byte[] pem, String what) throws MaterialException {
    List<X509Certificate> certs = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (!(o instanceof X509CertificateHolder holder)) {
          throw new MaterialException(what + ": unexpected PEM object " + o.getClass().getSimpleName());
        }
        certs.add(converter.getCertificate(holder));
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new MaterialException(what + ": not valid PEM certificates (" + e.getClass().getSimpleName() + ")", e);
    }
    if (certs.isEmpty()) {
      throw new MaterialException(what + ": no certificate");
    }
    return certs;
  }

  /** The one private key in {@code pem}; encrypted keys are not supported. */
  static PrivateKey privateKey(byte[] pem, String what) throws MaterialException {
    Object o;
    try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
      o = parser.readObject();
      if (o != null && parser.readObject() != null) {
        throw new MaterialException(what + ": more than one PEM object");
      }
    } catch (IOException | RuntimeException e) {
      // The parser's message may quote the input: report only the type.
      throw new MaterialException(what + ": not a valid PEM private key (" + e.getClass().getSimpleName() + ")");
    }
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try {
      if (o instanceof PEMKeyPair pair) {
        // Only the private half is needed; some writers leave the public key out of SEC1 keys.
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
    } catch (IOException | RuntimeException e) {
      throw new MaterialException(what + ": unusable private key (" + e.getClass().getSimpleName() + ")");
    }
    throw new MaterialException(what + ": no unencrypted private key"
        + (o == null ? "" : " (found " + o.getClass().getSimpleName() + ")"));
  }

  /**
   * Checks an identity: the key belongs to the leaf, each certificate is signed by the next one, and every
   * certificate in the chain is valid at {@code now}.
   */
  static void checkIdentity(PrivateKey key, List<X509Certificate> chain, Instant now) throws MaterialException {
    X509Certificate leaf = chain.get(0);
    if (!keyMatches(key, leaf.getPublicKey())) {
      throw new MaterialException("private key does not match the certificate " + subject(leaf));
    }
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate cert = chain.get(i);
      checkValidity(cert, now, "certificate chain[" + i + "] " + subject(cert));
      if (i + 1 < chain.size()) {
        X509Certificate issuer = chain.get(i + 1);
        try {
          cert.verify(issuer.getPublicKey());
        } catch (GeneralSecurityException e) {
          throw new MaterialException("certificate chain[" + i + "] " + subject(cert) + " is not signed by chain["
              + (i + 1) + "] " + subject(issuer));
        }
      }
    }
  }

  static void checkRoots(List<X509Certificate> roots, Instant now) throws MaterialException {
    boolean anyValid = false;
    for (X509Certificate root : roots) {
      try {
        root.checkValidity(Date.from(now));
        anyValid = true;
      } catch (CertificateExpiredException | CertificateNotYetValidException e) {
        // A bundle may hold an expired root next to its replacement; it just cannot anchor anything.
      }
    }
    if (!anyValid) {
      throw new MaterialException("trust bundle: no root is valid now");
    }
  }

  static void checkValidity(X509Certificate cert, Instant now, String what) throws MaterialException {
    try {
      cert.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw new MaterialException(what + " expired at " + cert.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new MaterialException(what + " is not valid before " + cert.getNotBefore().toInstant());
    }
  }

  /** Signs a probe with the key and verifies it with the certificate's public key, whatever the algorithm. */
  static boolean keyMatches(PrivateKey key, PublicKey publicKey) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null || !publicKey.getAlgorithm().equals(key.getAlgorithm())) {
      return false;
    }
    try {
      byte[] probe = "mesh4j key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static String subject(X509Certificate cert) {
    return "'" + cert.getSubjectX500Principal().getName() + "'";
  }
}

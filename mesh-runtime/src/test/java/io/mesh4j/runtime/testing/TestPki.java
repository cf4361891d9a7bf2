package io.mesh4j.runtime.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test PKI made with BouncyCastle: roots, intermediates and leaves with SPIFFE URI SANs, including the broken ones
 * (expired, not yet valid, from another CA, without a URI SAN). EC P-256 keys keep generation fast.
 *
 * <pre>{@code
 * TestPki.Ca root = TestPki.root("root-a");
 * TestPki.Ca intermediate = root.intermediate("intermediate-a");
 * TestPki.Leaf leaf = intermediate.leaf().spiffe("spiffe://cluster.local/ns/shop/sa/catalog").issue();
 * leaf.writeIstioFiles(dir, root);   // cert-chain.pem, key.pem, root-cert.pem as Istio's agent writes them
 * }</pre>
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  private TestPki() {}

  /** A self-signed root valid from an hour ago for ten years. */
  public static Ca root(String name) {
    KeyPair keys = newKeyPair();
    Instant now = Instant.now();
    X509Certificate cert = sign(new X500Name("CN=" + name + ",O=mesh4j-test"), keys.getPublic(), null, keys.getPrivate(),
        now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(3650)), true, List.of(), List.of());
    return new Ca(name, keys, cert, List.of(cert));
  }

  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A certificate authority: its key, its certificate, and its chain up to and including the root. */
  public static final class Ca {
    private final String name;
    private final KeyPair keys;
    private final X509Certificate certificate;
    private final List<X509Certificate> chainToRoot;

    private Ca(String name, KeyPair keys, X509Certificate certificate, List<X509Certificate> chainToRoot) {
      this.name = name;
      this.keys = keys;
      this.certificate = certificate;
      this.chainToRoot = List.copyOf(chainToRoot);
    }

    public X509Certificate certificate() {
      return certificate;
    }

    public KeyPair keys() {
      return keys;
    }

    /** This CA and its issuers, this one first. */
    public List<X509Certificate> chainToRoot() {
      return chainToRoot;
    }

    public X509Certificate root() {
      return chainToRoot.get(chainToRoot.size() - 1);
    }

    public Ca intermediate(String intermediateName) {
      KeyPair intermediateKeys = newKeyPair();
      Instant now = Instant.now();
      X509Certificate cert = sign(new X500Name("CN=" + intermediateName + ",O=mesh4j-test"), intermediateKeys.getPublic(),
          certificate, keys.getPrivate(), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(365)), true,
          List.of(), List.of());
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(cert);
      chain.addAll(chainToRoot);
      return new Ca(intermediateName, intermediateKeys, cert, chain);
    }

    public LeafBuilder leaf() {
      return new LeafBuilder(this);
    }

    /** A leaf for {@code spiffeId}, valid from an hour ago for a day. */
    public Leaf leaf(String spiffeId) {
      return leaf().spiffe(spiffeId).issue();
    }

    /** Signs a leaf for a public key someone else holds (what a CA does with a CSR). */
    public X509Certificate signLeaf(PublicKey subjectPublic, String subject, List<String> uris, Instant notBefore,
        Instant notAfter) {
      return sign(new X500Name(subject), subjectPublic, certificate, keys.getPrivate(), notBefore, notAfter, false,
          uris, List.of());
    }

    @Override
    public String toString() {
      return "Ca(" + name + ")";
    }
  }

  /** Options for a leaf; defaults: valid from an hour ago for a day, no SAN. */
  public static final class LeafBuilder {
    private final Ca issuer;
    private final List<String> uris = new ArrayList<>();
    private final List<String> dnsNames = new ArrayList<>();
    private Instant notBefore = Instant.now().minus(Duration.ofHours(1));
    private Instant notAfter = Instant.now().plus(Duration.ofDays(1));
    private KeyPair keys;

    private LeafBuilder(Ca issuer) {
      this.issuer = issuer;
    }

    public LeafBuilder spiffe(String uri) {
      uris.add(uri);
      return this;
    }

    public LeafBuilder dns(String name) {
      dnsNames.add(name);
      return this;
    }

    public LeafBuilder validity(Instant from, Instant until) {
      this.notBefore = from;
      this.notAfter = until;
      return this;
    }

    public LeafBuilder expired() {
      return validity(Instant.now().minus(Duration.ofDays(2)), Instant.now().minus(Duration.ofDays(1)));
    }

    public LeafBuilder notYetValid() {
      return validity(Instant.now().plus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(2)));
    }

    public LeafBuilder keys(KeyPair keyPair) {
      this.keys = keyPair;
      return this;
    }

    public Leaf issue() {
      KeyPair leafKeys = keys != null ? keys : newKeyPair();
      X509Certificate cert = sign(new X500Name("CN=leaf,O=mesh4j-test"), leafKeys.getPublic(), issuer.certificate,
          issuer.keys.getPrivate(), notBefore, notAfter, false, uris, dnsNames);
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(cert);
      // The chain a workload presents: leaf and intermediates, not the root.
      chain.addAll(issuer.chainToRoot.subList(0, issuer.chainToRoot.size() - 1));
      return new Leaf(leafKeys, chain, issuer);
    }
  }

  /** A leaf certificate with its key and the chain it presents (leaf first, without the root). */
  public record Leaf(KeyPair keys, List<X509Certificate> chain, Ca issuer) {
    public X509Certificate certificate() {
      return chain.get(0);
    }

    public PrivateKey privateKey() {
      return keys.getPrivate();
    }

    public String chainPem() {
      return pem(chain.toArray(new X509Certificate[0]));
    }

    /** PKCS#8, as cert-manager and Istio's agent write keys. */
    public String keyPem() {
      try {
        return pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keys.getPrivate(), null).generate());
      } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * Writes Istio's agent files ({@code cert-chain.pem}, {@code key.pem}, {@code root-cert.pem} with
     * {@code roots}) the way a careful writer does: to a temporary file, then an atomic move. The key is owner-only.
     */
    public void writeIstioFiles(Path dir, X509Certificate... roots) {
      writeAtomically(dir.resolve("cert-chain.pem"), chainPem());
      writeAtomically(dir.resolve("key.pem"), keyPem());
      writeAtomically(dir.resolve("root-cert.pem"), pem(roots));
    }
  }

  public static void writeAtomically(Path file, String content) {
    try {
      Path tmp = Files.createTempFile(file.getParent(), ".tmp-", ".pem");
      trySetOwnerOnly(tmp);
      Files.writeString(tmp, content, StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void trySetOwnerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    }
  }

  /** PEM of objects (certificates, keys), concatenated. */
  public static String pem(Object... objects) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (Object object : objects) {
        writer.writeObject(object);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static X509Certificate sign(X500Name subject, PublicKey subjectKey, X509Certificate issuer,
      PrivateKey issuerKey, Instant notBefore, Instant notAfter, boolean ca, List<String> uris, List<String> dns) {
    try {
      X500Name issuerName = issuer == null ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
          subjectKey);
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
      if (issuer != null) {
        builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer));
      }
      if (ca) {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      }
      List<GeneralName> names = new ArrayList<>();
      uris.forEach(u -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, u)));
      dns.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
      if (!names.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, !uris.isEmpty() && subject.getRDNs().length == 0,
            new GeneralNames(names.toArray(new GeneralName[0])));
      }
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.mesh4j.runtime.security;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the current identity of a {@link MaterialSource}, read at every handshake: a rotation takes effect for
 * the next handshake; open connections keep theirs.
 *
 * <p>JSSE asks for an alias, then for its chain and key in separate calls; a rotation may land in between. The
 * alias therefore names the generation ("mesh-" + identity hash of the material), and the previous generation is
 * kept so a handshake that chose it still gets a matching chain and key.
 */
final class RotatingKeyManager extends X509ExtendedKeyManager {
  private static final String PREFIX = "mesh-";

  private final MaterialSource source;
  private volatile CertificateMaterial previous;
  private volatile CertificateMaterial lastSeen;

  RotatingKeyManager(MaterialSource source) {
    this.source = source;
  }

  /** The current identity's alias if its key type is acceptable, else {@code null} (no certificate is sent). */
  private String alias(String... keyTypes) {
    CertificateMaterial material = source.current();
    if (material == null || !material.hasIdentity()) {
      return null;
    }
    String algorithm = material.privateKey().getAlgorithm();
    if (keyTypes != null) {
      boolean acceptable = false;
      for (String type : keyTypes) {
        // Server key types may carry a signature suffix, e.g. "EC_EC" for TLS 1.2.
        acceptable |= type != null && (type.equals(algorithm) || type.startsWith(algorithm + "_"));
      }
      if (!acceptable) {
        return null;
      }
    }
    remember(material);
    return PREFIX + Integer.toHexString(System.identityHashCode(material));
  }

  private void remember(CertificateMaterial material) {
    CertificateMaterial seen = lastSeen;
    if (seen != material) {
      previous = seen;
      lastSeen = material;
    }
  }

  private CertificateMaterial byAlias(String alias) {
    if (alias == null || !alias.startsWith(PREFIX)) {
      return null;
    }
    for (CertificateMaterial m : new CertificateMaterial[] {source.current(), lastSeen, previous}) {
      if (m != null && m.hasIdentity() && alias.equals(PREFIX + Integer.toHexString(System.identityHashCode(m)))) {
        return m;
      }
    }
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return alias(keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return alias(keyTypes);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias(keyType);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    String alias = alias(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return getClientAliases(keyType, issuers);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    CertificateMaterial m = byAlias(alias);
    return m == null ? null : m.certificateChain().toArray(new X509Certificate[0]);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    CertificateMaterial m = byAlias(alias);
    return m == null ? null : m.privateKey();
  }
}

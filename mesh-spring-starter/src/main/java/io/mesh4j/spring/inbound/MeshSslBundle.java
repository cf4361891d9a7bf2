package io.mesh4j.spring.inbound;

import io.mesh4j.runtime.security.CertificateMaterial;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslStoreBundle;

/**
 * One generation of the workload's certificate material as a Spring Boot {@link SslBundle}: an in-memory key store
 * with the key and its chain (alias {@value #ALIAS}) and a trust store with the mesh's roots, so a web server
 * configured with {@code server.ssl.bundle=mesh} presents the workload certificate and checks client certificates
 * against the mesh's roots. Which peers may call is the server listener's RBAC, not the trust store's.
 */
final class MeshSslBundle {
  static final String NAME = "mesh";
  static final String ALIAS = "mesh";
  /** The stores never leave memory; the web server needs some password to read its key entry. */
  private static final String PASSWORD = "mesh";

  private MeshSslBundle() {}

  static SslBundle of(CertificateMaterial material, String provider) {
    if (!material.hasIdentity()) {
      throw new IllegalStateException("certificate provider instance '" + provider
          + "' has no workload certificate (certificate_file/private_key_file), so there is no 'mesh' SSL bundle");
    }
    try {
      KeyStore keys = emptyStore();
      keys.setKeyEntry(ALIAS, material.privateKey(), PASSWORD.toCharArray(),
          material.certificateChain().toArray(new Certificate[0]));
      KeyStore trust = emptyStore();
      List<X509Certificate> roots = material.trustedCertificates();
      for (int i = 0; i < roots.size(); i++) {
        trust.setCertificateEntry("root-" + i, roots.get(i));
      }
      return SslBundle.of(SslStoreBundle.of(keys, PASSWORD, roots.isEmpty() ? null : trust),
          SslBundleKey.of(PASSWORD, ALIAS));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("the workload certificate of '" + provider + "' does not fit a key store", e);
    }
  }

  private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    return store;
  }
}

package io.mesh4j.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.MeshConfigurationException;
import io.mesh4j.runtime.security.PeerCertificateException.Check;
import io.mesh4j.runtime.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file_watcher provider refuses bad material; the trust manager names each failed check. */
class FileWatcherCertificateProviderTest {
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/catalog";
  @TempDir Path dir;
  private final TestPki.Ca root = TestPki.root("root");
  private final TestPki.Ca intermediate = root.intermediate("intermediate");

  private FileWatcherCertificateProvider provider() {
    // No scheduler: the test calls refresh() itself, so nothing depends on timing.
    return new FileWatcherCertificateProvider("default", dir.resolve("cert-chain.pem"), dir.resolve("key.pem"),
        dir.resolve("root-cert.pem"), Duration.ofSeconds(600), null, Clock.systemUTC());
  }

  @Test
  void loadsIstioFilesAndNeverReplacesGoodMaterialWithBad() throws Exception {
    TestPki.Leaf good = intermediate.leaf(ID);
    good.writeIstioFiles(dir, root.certificate());
    FileWatcherCertificateProvider provider = provider();
    CertificateMaterial loaded = provider.current();
    assertThat(loaded.certificateChain()).isEqualTo(good.chain());
    assertThat(provider.ready()).isDone();

    // half-written key
    Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nMIIB");
    provider.refresh();
    // key of another certificate
    Files.writeString(dir.resolve("key.pem"), intermediate.leaf(ID).keyPem());
    provider.refresh();
    // expired and not-yet-valid certificates with their own keys
    intermediate.leaf().spiffe(ID).expired().issue().writeIstioFiles(dir, root.certificate());
    provider.refresh();
    intermediate.leaf().spiffe(ID).notYetValid().issue().writeIstioFiles(dir, root.certificate());
    provider.refresh();
    // a chain whose intermediate did not sign the leaf
    TestPki.Leaf stray = TestPki.root("other").leaf(ID);
    TestPki.writeAtomically(dir.resolve("cert-chain.pem"),
        TestPki.pem(stray.certificate(), intermediate.certificate()));
    TestPki.writeAtomically(dir.resolve("key.pem"), stray.keyPem());
    provider.refresh();
    // a missing file
    Files.delete(dir.resolve("root-cert.pem"));
    provider.refresh();

    assertThat(provider.current()).isSameAs(loaded);
    assertThat(provider.failures()).isEqualTo(6);
    provider.refresh(); // unchanged files are not counted again... except unreadable ones, once per refresh
    assertThat(provider.failures()).isEqualTo(7);

    TestPki.Leaf next = intermediate.leaf(ID);
    next.writeIstioFiles(dir, root.certificate());
    provider.refresh();
    assertThat(provider.current().certificateChain()).isEqualTo(next.chain());
    assertThat(provider.current().toString()).doesNotContain("PRIVATE").contains("leaf");
  }

  @Test
  void bootstrapConfigErrorsNameTheField() {
    assertThatThrownBy(() -> FileWatcherCertificateProvider.fromConfig("default",
        Map.of("certificate_file", "/x"), null, Clock.systemUTC()))
        .isInstanceOf(MeshConfigurationException.class)
        .hasMessage("certificate_providers.default.config.certificate_file and private_key_file must be set together");
    assertThatThrownBy(() -> FileWatcherCertificateProvider.fromConfig("default",
        Map.of("ca_certificate_file", "/x", "refresh_interval", "soon"), null, Clock.systemUTC()))
        .hasMessage("certificate_providers.default.config.refresh_interval: must be a duration like \"600s\"");
    assertThatThrownBy(() -> FileWatcherCertificateProvider.fromConfig("default",
        Map.of("ca_certificate_file", "/x", "watch", true), null, Clock.systemUTC()))
        .hasMessage("certificate_providers.default.config.watch: unknown field of the file_watcher plugin");
  }

  @Test
  void trustManagerNamesEveryFailedCheckAndAcceptsBothRootsDuringAnOverlap() throws Exception {
    TestPki.Ca newRoot = TestPki.root("root-new");
    MaterialSource bundle = new FixedMaterialSource(
        CertificateMaterial.roots(List.of(root.certificate(), newRoot.certificate())), "bundle");
    RotatingTrustManager trust = new RotatingTrustManager(bundle,
        new SanMatcher(List.of(new io.mesh4j.runtime.model.SanMatch(
            io.mesh4j.runtime.model.SanMatch.SanType.URI, io.mesh4j.runtime.model.SanMatch.Kind.EXACT,
            ID, false))), Clock.systemUTC());

    trust.check(chain(intermediate.leaf(ID)));
    trust.check(chain(newRoot.leaf(ID)));
    assertCheck(trust, chain(intermediate.leaf("spiffe://cluster.local/ns/shop/sa/other")), Check.SAN_MISMATCH);
    assertCheck(trust, chain(intermediate.leaf().dns("catalog").issue()), Check.NO_URI_SAN);
    assertCheck(trust, chain(intermediate.leaf().spiffe(ID).expired().issue()), Check.EXPIRED);
    assertCheck(trust, chain(intermediate.leaf().spiffe(ID).notYetValid().issue()), Check.NOT_YET_VALID);
    assertCheck(trust, chain(TestPki.root("stranger").leaf(ID)), Check.UNKNOWN_CA);
    assertCheck(trust, new X509Certificate[0], Check.NO_CERTIFICATE);

    // After the overlap the old root is gone: its chains are refused.
    RotatingTrustManager after = new RotatingTrustManager(
        new FixedMaterialSource(CertificateMaterial.roots(List.of(newRoot.certificate())), "bundle"),
        new SanMatcher(List.of()), Clock.systemUTC());
    assertCheck(after, chain(intermediate.leaf(ID)), Check.UNKNOWN_CA);
  }

  private static X509Certificate[] chain(TestPki.Leaf leaf) {
    return leaf.chain().toArray(new X509Certificate[0]);
  }

  private static void assertCheck(RotatingTrustManager trust, X509Certificate[] chain, Check check) {
    assertThatThrownBy(() -> trust.check(chain)).isInstanceOfSatisfying(PeerCertificateException.class,
        e -> assertThat(e.check()).as(e.getMessage()).isEqualTo(check));
  }
}

package io.mesh4j.runtime.xds;

import static io.mesh4j.runtime.testing.XdsResources.LDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.security.SecretType;
import io.mesh4j.runtime.testing.XdsResources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileResourceCacheTest {
  private static final Instant AT = Instant.parse("2026-03-04T05:06:07Z");

  @TempDir Path dir;

  private static Listener listener(String name, String routes) {
    return XdsResources.apiListener(name, routes);
  }

  private FileResourceCache written(Listener... listeners) throws Exception {
    FileResourceCache cache = FileResourceCache.open(dir);
    for (Listener l : listeners) {
      cache.accepted(ListenerType.INSTANCE, l.getName(), "v7", l, AT);
    }
    cache.flush();
    cache.close();
    return cache;
  }

  private long files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void readsBackWhatItWroteWithVersionAndAge() throws Exception {
    written(listener("a:80", "r1"), listener("b:80", "r2"));
    assertThat(files()).isEqualTo(2);

    FileResourceCache reopened = FileResourceCache.open(dir);
    ResourceCache.Entry a = reopened.lookup(LDS, "a:80");
    assertThat(a.version()).isEqualTo("v7");
    assertThat(a.acceptedAt()).isEqualTo(AT);
    assertThat(a.resource().unpack(Listener.class)).isEqualTo(listener("a:80", "r1"));
    assertThat(reopened.lookup(LDS, "c:80")).isNull();
    assertThat(reopened.problems()).isEmpty();
    assertThat(reopened.source()).isEqualTo("cache:" + dir);

    // The newest write wins; a removal deletes the file.
    reopened.accepted(ListenerType.INSTANCE, "a:80", "v8", listener("a:80", "r9"), AT.plusSeconds(1));
    reopened.removed(ListenerType.INSTANCE, "b:80");
    reopened.flush();
    reopened.close();
    FileResourceCache third = FileResourceCache.open(dir);
    assertThat(third.lookup(LDS, "a:80").resource().unpack(Listener.class).getName()).isEqualTo("a:80");
    assertThat(third.lookup(LDS, "a:80").version()).isEqualTo("v8");
    assertThat(third.lookup(LDS, "b:80")).isNull();
    assertThat(files()).isEqualTo(1);
  }

  @Test
  void corruptTruncatedForeignAndMisfiledFilesAreReportedAndSkipped() throws Exception {
    written(listener("good:80", "r"), listener("flipped:80", "r"), listener("short:80", "r"),
        listener("moved:80", "r"));
    Path flipped = dir.resolve(FileResourceCache.fileName(LDS, "flipped:80"));
    byte[] bytes = Files.readAllBytes(flipped);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(flipped, bytes);
    Path truncated = dir.resolve(FileResourceCache.fileName(LDS, "short:80"));
    byte[] whole = Files.readAllBytes(truncated);
    Files.write(truncated, Arrays.copyOf(whole, whole.length - 11));
    Files.writeString(dir.resolve("README.txt"), "not ours", StandardCharsets.UTF_8);
    Files.write(dir.resolve("newer.xdsc"), newerFormat(whole));
    // A valid file under another resource's name: not trusted either.
    Files.move(dir.resolve(FileResourceCache.fileName(LDS, "moved:80")),
        dir.resolve(FileResourceCache.fileName(LDS, "elsewhere:80")));
    Files.writeString(dir.resolve(".tmp-123.xdsc"), "half a write"); // a crash in the middle of a write

    FileResourceCache cache = FileResourceCache.open(dir);
    assertThat(cache.lookup(LDS, "good:80")).isNotNull();
    assertThat(cache.lookup(LDS, "flipped:80")).isNull();
    assertThat(cache.lookup(LDS, "short:80")).isNull();
    assertThat(cache.lookup(LDS, "moved:80")).isNull();
    assertThat(cache.lookup(LDS, "elsewhere:80")).isNull();
    assertThat(cache.loadedCount()).isEqualTo(1);
    assertThat(cache.problems()).hasSize(5);
    assertThat(String.join("\n", cache.problems()))
        .contains("checksum mismatch")
        .contains("truncated")
        .contains("README.txt: not a mesh4j config cache file")
        .contains("newer.xdsc: format version 2")
        .contains("not what its name says");
    assertThat(Files.exists(dir.resolve(".tmp-123.xdsc"))).isFalse();
    cache.close();
  }

  private static byte[] newerFormat(byte[] file) {
    byte[] copy = file.clone();
    copy[FileResourceCache.MAGIC.length + 3] = 2;
    return copy;
  }

  @Test
  void neverWritesPrivateKeysOrOpaqueSecrets() throws Exception {
    FileResourceCache cache = FileResourceCache.open(dir);
    Secret key = Secret.newBuilder().setName("default").setTlsCertificate(TlsCertificate.newBuilder()
        .setCertificateChain(DataSource.newBuilder().setInlineString("CERT"))
        .setPrivateKey(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8("PRIVATE KEY")))).build();
    Secret trust = Secret.newBuilder().setName("ROOTCA").setValidationContext(CertificateValidationContext
        .newBuilder().setTrustedCa(DataSource.newBuilder().setInlineString("CA")))
        .build();
    cache.accepted(SecretType.INSTANCE, "default", "1", key, AT);
    cache.accepted(SecretType.INSTANCE, "ROOTCA", "1", trust, AT);
    cache.flush();
    cache.close();

    assertThat(files()).isEqualTo(1);
    FileResourceCache reopened = FileResourceCache.open(dir);
    assertThat(reopened.lookup(SecretType.TYPE_URL, "default")).isNull();
    assertThat(reopened.lookup(SecretType.TYPE_URL, "ROOTCA").resource().unpack(Secret.class)).isEqualTo(trust);
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).doesNotContain("PRIVATE KEY");
      }
    }
  }
}

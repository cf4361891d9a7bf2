package io.mesh4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.BootstrapSource;
import io.mesh4j.MeshOptions;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.runtime.xds.FileResourceCache;
import io.mesh4j.runtime.xds.ResourceCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCacheDirectoryTest {
  @TempDir Path dir;

  private static MeshOptions options(Path cacheDir) {
    return new MeshOptions(BootstrapSource.json("{}"), Duration.ofSeconds(1), OutboundTrafficPolicy.ALLOW_ANY,
        cacheDir);
  }

  @Test
  void theBuildersDirectoryWinsOverTheEnvironment() {
    ResourceCache cache = ConfigCacheDirectory.open(options(dir.resolve("builder")),
        Map.of(MeshOptions.CONFIG_CACHE_DIR_ENV, dir.resolve("env").toString()));
    assertThat(cache).isInstanceOf(FileResourceCache.class);
    assertThat(cache.source()).isEqualTo("cache:" + dir.resolve("builder"));
    assertThat(Files.isDirectory(dir.resolve("builder"))).isTrue();
    assertThat(Files.exists(dir.resolve("env"))).isFalse();
    cache.close();
  }

  @Test
  void theEnvironmentNamesItWhenTheBuilderDoesNotAndNothingIsKeptWithoutEither() {
    ResourceCache cache = ConfigCacheDirectory.open(options(null),
        Map.of(MeshOptions.CONFIG_CACHE_DIR_ENV, dir.resolve("env").toString()));
    assertThat(cache.source()).isEqualTo("cache:" + dir.resolve("env"));
    cache.close();
    assertThat(ConfigCacheDirectory.open(options(null), Map.of())).isSameAs(ResourceCache.NONE);
    assertThat(new MeshOptions(BootstrapSource.json("{}"), Duration.ofSeconds(1), OutboundTrafficPolicy.ALLOW_ANY)
        .configCacheDir()).isNull();
  }

  @Test
  void aDirectoryThatCannotBeCreatedLeavesTheMeshWithoutACacheInsteadOfFailing() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertThat(ConfigCacheDirectory.open(options(file.resolve("sub")), Map.of())).isSameAs(ResourceCache.NONE);
  }
}

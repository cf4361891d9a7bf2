package io.mesh4j.samples.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The watcher's thread and file checks; when a burst counts as over is {@link ChangeDebounceTest}'s. */
class DirectoryWatcherTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "pollingOnly={0}")
  @ValueSource(booleans = {false, true})
  void aChangedFileIsReported(boolean pollingOnly) throws Exception {
    Files.writeString(dir.resolve("routes.yaml"), "a: 0\n");
    AtomicInteger changes = new AtomicInteger();
    try (DirectoryWatcher watcher = DirectoryWatcher.start(
        dir, Duration.ofMillis(100), Duration.ofMillis(50), pollingOnly, changes::incrementAndGet)) {
      // Rewritten until seen: a write made before the watcher took its first fingerprint and registered its
      // watch is already part of what it compares against.
      AtomicInteger writes = new AtomicInteger();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
        if (changes.get() > 0) {
          return true;
        }
        Files.writeString(dir.resolve("routes.yaml"), "a: " + writes.incrementAndGet() + "\n");
        return false;
      });
      assertThat(changes.get()).isPositive();
    }
  }

  @Test
  void theFingerprintCoversConfigurationFilesOnly() throws Exception {
    Files.writeString(dir.resolve("routes.yaml"), "a: 0\n");
    long initial = DirectoryWatcher.fingerprint(dir);

    Files.writeString(dir.resolve("notes.txt"), "not configuration");
    assertThat(DirectoryWatcher.fingerprint(dir)).isEqualTo(initial);

    Files.writeString(dir.resolve("clusters.json"), "{}");
    long withClusters = DirectoryWatcher.fingerprint(dir);
    assertThat(withClusters).isNotEqualTo(initial);

    Files.writeString(dir.resolve("routes.yaml"), "a: 1\n");
    assertThat(DirectoryWatcher.fingerprint(dir)).isNotEqualTo(withClusters);
  }
}

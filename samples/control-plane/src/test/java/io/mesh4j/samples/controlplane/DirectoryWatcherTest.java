package io.mesh4j.samples.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class DirectoryWatcherTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "pollingOnly={0}")
  @ValueSource(booleans = {false, true})
  void aBurstOfWritesIsReportedOnceAfterItSettles(boolean pollingOnly) throws Exception {
    Files.writeString(dir.resolve("routes.yaml"), "a: 0\n");
    AtomicInteger changes = new AtomicInteger();
    try (DirectoryWatcher watcher = DirectoryWatcher.start(
        dir, Duration.ofMillis(300), Duration.ofMillis(50), pollingOnly, changes::incrementAndGet)) {
      Thread.sleep(200);
      for (int i = 1; i <= 5; i++) {
        Files.writeString(dir.resolve("routes.yaml"), "a: " + i + "\n");
        Thread.sleep(40);
      }

      await().atMost(Duration.ofSeconds(30)).until(() -> changes.get() >= 1);
      Thread.sleep(700);
      assertThat(changes).hasValue(1);
    }
  }

  @ParameterizedTest(name = "pollingOnly={0}")
  @ValueSource(booleans = {false, true})
  void aNewFileIsReportedAndIgnoredFilesAreNot(boolean pollingOnly) throws Exception {
    AtomicInteger changes = new AtomicInteger();
    try (DirectoryWatcher watcher = DirectoryWatcher.start(
        dir, Duration.ofMillis(100), Duration.ofMillis(50), pollingOnly, changes::incrementAndGet)) {
      Thread.sleep(200);
      Files.writeString(dir.resolve("notes.txt"), "not configuration");
      Thread.sleep(600);
      int afterIgnoredFile = changes.get();

      Files.writeString(dir.resolve("clusters.json"), "{}");

      await().atMost(Duration.ofSeconds(30)).until(() -> changes.get() > afterIgnoredFile);
      if (pollingOnly) {
        // The periodic check reads configuration files only; the OS notification sees any file.
        assertThat(afterIgnoredFile).isZero();
      }
    }
  }
}

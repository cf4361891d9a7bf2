package io.mesh4j.samples.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the demo's configuration in the source tree, so that the files a user edits are the ones served: from the
 * working directory upwards, the first {@code samples/demo/config} (or {@code config} inside {@code samples/demo}).
 */
final class ConfigDirectory {
  static final Path RELATIVE_TO_PROJECT = Path.of("samples", "demo", "config");

  private ConfigDirectory() {}

  static Optional<Path> find(Path start) {
    for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(RELATIVE_TO_PROJECT);
      if (isDemoConfig(candidate)) {
        return Optional.of(candidate);
      }
      if (dir.endsWith(Path.of("samples", "demo")) && isDemoConfig(dir.resolve("config"))) {
        return Optional.of(dir.resolve("config"));
      }
    }
    return Optional.empty();
  }

  private static boolean isDemoConfig(Path dir) {
    return Files.isRegularFile(dir.resolve("routes.yaml"));
  }
}

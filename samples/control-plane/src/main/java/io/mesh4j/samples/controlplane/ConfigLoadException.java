package io.mesh4j.samples.controlplane;

import java.nio.file.Path;

/**
 * A configuration file could not be turned into Envoy resources; the message names the file and, where known,
 * the resource and the problem as the JSON or YAML parser reported it.
 */
public final class ConfigLoadException extends Exception {
  private final Path file;

  ConfigLoadException(Path file, String detail) {
    super(file.getFileName() + ": " + detail);
    this.file = file;
  }

  ConfigLoadException(Path file, String detail, Throwable cause) {
    super(file.getFileName() + ": " + detail, cause);
    this.file = file;
  }

  /** The file at fault. */
  public Path file() {
    return file;
  }
}

package io.mesh4j;

import java.nio.file.Path;
import java.util.Objects;

/** Where the gRPC xDS bootstrap comes from. */
public sealed interface BootstrapSource {

  /**
   * {@code GRPC_XDS_BOOTSTRAP} (a path), else {@code GRPC_XDS_BOOTSTRAP_CONFIG} (inline JSON), else
   * {@code MESH_BOOTSTRAP} (a path), as gRPC's xDS support reads them.
   */
  static BootstrapSource environment() {
    return Environment.INSTANCE;
  }

  static BootstrapSource json(String json) {
    return new Json(json);
  }

  static BootstrapSource file(Path path) {
    return new File(path);
  }

  enum Environment implements BootstrapSource {
    INSTANCE
  }

  record Json(String json) implements BootstrapSource {
    public Json {
      Objects.requireNonNull(json, "json");
    }

    @Override
    public String toString() {
      return "inline bootstrap JSON";
    }
  }

  record File(Path path) implements BootstrapSource {
    public File {
      Objects.requireNonNull(path, "path");
    }
  }
}

package io.mesh4j.runtime.bootstrap;

import io.mesh4j.BootstrapSource;
import io.mesh4j.MeshConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/** Finds the bootstrap a {@link BootstrapSource} points at, reads it and parses it. */
public final class BootstrapLoader {
  public static final String GRPC_XDS_BOOTSTRAP = "GRPC_XDS_BOOTSTRAP";
  public static final String GRPC_XDS_BOOTSTRAP_CONFIG = "GRPC_XDS_BOOTSTRAP_CONFIG";
  public static final String MESH_BOOTSTRAP = "MESH_BOOTSTRAP";

  private BootstrapLoader() {}

  /** Loads with the process environment. */
  public static Bootstrap load(BootstrapSource source) {
    return load(source, System.getenv());
  }

  /**
   * Loads from {@code source}; for {@link BootstrapSource.Environment}, from {@code GRPC_XDS_BOOTSTRAP} (a path), else
   * {@code GRPC_XDS_BOOTSTRAP_CONFIG} (inline JSON), else {@code MESH_BOOTSTRAP} (a path), looked up in {@code env}.
   *
   * @throws MeshConfigurationException naming the variable, file or field that is wrong
   */
  public static Bootstrap load(BootstrapSource source, Map<String, String> env) {
    if (source instanceof BootstrapSource.Json json) {
      return BootstrapParser.parse(json.json(), "inline bootstrap JSON");
    }
    if (source instanceof BootstrapSource.File file) {
      return fromFile(file.path(), "bootstrap file");
    }
    String path = nonEmpty(env.get(GRPC_XDS_BOOTSTRAP));
    if (path != null) {
      return fromFile(Path.of(path), GRPC_XDS_BOOTSTRAP);
    }
    String inline = nonEmpty(env.get(GRPC_XDS_BOOTSTRAP_CONFIG));
    if (inline != null) {
      return BootstrapParser.parse(inline, GRPC_XDS_BOOTSTRAP_CONFIG);
    }
    path = nonEmpty(env.get(MESH_BOOTSTRAP));
    if (path != null) {
      return fromFile(Path.of(path), MESH_BOOTSTRAP);
    }
    throw new MeshConfigurationException(
        "bootstrap: none of " + GRPC_XDS_BOOTSTRAP + ", " + GRPC_XDS_BOOTSTRAP_CONFIG + ", " + MESH_BOOTSTRAP
            + " is set");
  }

  private static Bootstrap fromFile(Path path, String origin) {
    String json;
    try {
      json = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new MeshConfigurationException("bootstrap: " + path + " (from " + origin + "): no such file", e);
    } catch (IOException e) {
      throw new MeshConfigurationException(
          "bootstrap: " + path + " (from " + origin + "): cannot read: " + e.getMessage(), e);
    }
    return BootstrapParser.parse(json, path.toString());
  }

  private static String nonEmpty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}

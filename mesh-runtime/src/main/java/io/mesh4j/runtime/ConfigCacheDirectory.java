package io.mesh4j.runtime;

import io.mesh4j.MeshOptions;
import io.mesh4j.runtime.xds.FileResourceCache;
import io.mesh4j.runtime.xds.ResourceCache;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses the persisted config cache: the builder's directory, else {@code MESH_CONFIG_CACHE_DIR}, else none. */
final class ConfigCacheDirectory {
  private static final Logger log = LoggerFactory.getLogger(ConfigCacheDirectory.class);

  private ConfigCacheDirectory() {}

  static ResourceCache open(MeshOptions options) {
    return open(options, System.getenv());
  }

  static ResourceCache open(MeshOptions options, Map<String, String> env) {
    Path directory = options.configCacheDir();
    if (directory == null) {
      String fromEnv = env.get(MeshOptions.CONFIG_CACHE_DIR_ENV);
      if (fromEnv == null || fromEnv.isBlank()) {
        return ResourceCache.NONE;
      }
      directory = Path.of(fromEnv);
    }
    try {
      return FileResourceCache.open(directory);
    } catch (IOException | RuntimeException e) {
      // The cache only helps when the control plane is away; a mesh that cannot keep one still routes.
      log.error("config cache directory {} cannot be used, continuing without a config cache: {}", directory,
          e.toString());
      return ResourceCache.NONE;
    }
  }
}

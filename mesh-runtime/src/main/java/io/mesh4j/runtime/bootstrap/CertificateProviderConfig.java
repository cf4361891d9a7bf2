package io.mesh4j.runtime.bootstrap;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of the bootstrap's {@code certificate_providers}: the plugin and its JSON config, kept as parsed for the
 * provider that will read it (e.g. {@code file_watcher} with {@code certificate_file}, {@code refresh_interval}).
 *
 * @param pluginName {@code plugin_name}
 * @param config {@code config} as JSON values: {@code Map}, {@code List}, {@code String}, {@code Double},
 *     {@code Boolean} or {@code null}; empty when absent
 */
public record CertificateProviderConfig(String pluginName, Map<String, Object> config) {
  public CertificateProviderConfig {
    Objects.requireNonNull(pluginName, "pluginName");
    // Map.copyOf rejects null values, which JSON allows.
    config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
  }
}

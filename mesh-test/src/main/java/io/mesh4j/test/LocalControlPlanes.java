package io.mesh4j.test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.mesh4j.samples.controlplane.ConfigLoadException;
import io.mesh4j.samples.controlplane.LocalControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The control planes tests started, one per distinct set of rendered files, kept until the JVM exits (test contexts
 * cached by Spring keep talking to them).
 */
public final class LocalControlPlanes {
  /**
   * istiod's name for the server listener of a proxyless workload's port ({@code %s} is {@code 0.0.0.0:<port>}), so
   * the files name a server listener as istiod would: {@code xds.istio.io/grpc/lds/inbound/0.0.0.0:8080}.
   */
  public static final String SERVER_LISTENER_TEMPLATE = "xds.istio.io/grpc/lds/inbound/%s";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");
  private static final Map<Map<String, String>, LocalControlPlane> STARTED = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> STARTED.values().forEach(LocalControlPlane::close), "mesh4j-test-control-planes"));
  }

  private LocalControlPlanes() {}

  /** The control plane serving {@code config} (see {@link MeshControlPlane#config()}), started on first use. */
  public static LocalControlPlane serve(String config) {
    Map<String, String> files = render(directory(config));
    return STARTED.computeIfAbsent(files, LocalControlPlanes::start);
  }

  /**
   * The bootstrap an application's mesh gets: {@code controlPlane}'s, with {@link #SERVER_LISTENER_TEMPLATE} as its
   * {@code server_listener_resource_name_template}, so the application's own server can be put under a server
   * listener from the files.
   */
  public static String bootstrapJson(LocalControlPlane controlPlane) {
    JsonObject bootstrap = JsonParser.parseString(controlPlane.bootstrapJson()).getAsJsonObject();
    bootstrap.addProperty("server_listener_resource_name_template", SERVER_LISTENER_TEMPLATE);
    return bootstrap.toString();
  }

  private static LocalControlPlane start(Map<String, String> files) {
    try {
      Path dir = Files.createTempDirectory("mesh4j-test-config");
      for (Map.Entry<String, String> file : files.entrySet()) {
        Files.writeString(dir.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
      }
      return LocalControlPlane.start(dir, 0);
    } catch (ConfigLoadException e) {
      throw new IllegalStateException("the mesh test configuration does not load: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path directory(String config) {
    if (config.startsWith("classpath:")) {
      String name = config.substring("classpath:".length()).replaceFirst("^/", "");
      URL url = Thread.currentThread().getContextClassLoader().getResource(name);
      if (url == null || !"file".equals(url.getProtocol())) {
        throw new IllegalArgumentException("@MeshControlPlane config " + config + ": no such directory on the class path");
      }
      try {
        return Path.of(url.toURI());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(config, e);
      }
    }
    Path dir = Path.of(config);
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("@MeshControlPlane config " + config + ": no such directory");
    }
    return dir;
  }

  /** Every file of {@code dir}, by name, with its placeholders replaced by system properties. */
  static Map<String, String> render(Path dir) {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path file : (Iterable<Path>) list.filter(Files::isRegularFile)::iterator) {
        files.put(file.getFileName().toString(), resolve(Files.readString(file, StandardCharsets.UTF_8), file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  static String resolve(String text, Path file) {
    Matcher matcher = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    List<String> missing = new ArrayList<>();
    while (matcher.find()) {
      String value = System.getProperty(matcher.group(1));
      if (value == null) {
        missing.add(matcher.group(1));
        value = matcher.group();
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    if (!missing.isEmpty()) {
      throw new IllegalStateException(file + " names system properties that are not set: " + missing
          + " (set them in @BeforeAll, before the control plane starts)");
    }
    return out.toString();
  }
}

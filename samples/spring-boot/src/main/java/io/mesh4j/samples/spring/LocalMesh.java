package io.mesh4j.samples.spring;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.mesh4j.samples.controlplane.ConfigLoadException;
import io.mesh4j.samples.controlplane.LocalControlPlane;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code java -jar} brings up before the application: the backends and a local control plane serving the
 * bundled {@code mesh/*.yaml} (their {@code ${...}} placeholders filled with the backends' ports and the application's
 * own, {@code sample.server.port}), written to a
 * temporary directory so it can be edited while the sample runs.
 */
final class LocalMesh implements AutoCloseable {
  static final List<String> FILES = List.of("listeners.yaml", "routes.yaml", "clusters.yaml", "endpoints.yaml",
      "inbound.yaml");
  /** istiod's name for a proxyless workload's server listener; {@code inbound.yaml} names the app's port so. */
  static final String SERVER_LISTENER_TEMPLATE = "xds.istio.io/grpc/lds/inbound/%s";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

  private final LocalControlPlane controlPlane;

  private LocalMesh(LocalControlPlane controlPlane) {
    this.controlPlane = controlPlane;
  }

  static LocalMesh start() throws IOException, ConfigLoadException {
    SampleBackends.shared();
    Path dir = Files.createTempDirectory("mesh4j-spring-sample");
    for (String name : FILES) {
      try (InputStream in = LocalMesh.class.getResourceAsStream("/mesh/" + name)) {
        if (in == null) {
          throw new IllegalStateException("mesh/" + name + " is missing from the sample's jar");
        }
        Files.writeString(dir.resolve(name), fill(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      }
    }
    return new LocalMesh(LocalControlPlane.start(dir, 0));
  }

  static String fill(String text) {
    Matcher matcher = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = System.getProperty(matcher.group(1));
      if (value == null) {
        throw new IllegalStateException("no value for ${" + matcher.group(1) + "}");
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return matcher.appendTail(out).toString();
  }

  /** The control plane's bootstrap, naming server listeners as istiod does. */
  String bootstrapJson() {
    JsonObject bootstrap = JsonParser.parseString(controlPlane.bootstrapJson()).getAsJsonObject();
    bootstrap.addProperty("server_listener_resource_name_template", SERVER_LISTENER_TEMPLATE);
    return bootstrap.toString();
  }

  Path configDir() {
    return controlPlane.configDir();
  }

  @Override
  public void close() {
    controlPlane.close();
  }

}

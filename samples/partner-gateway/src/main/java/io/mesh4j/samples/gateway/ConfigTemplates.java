package io.mesh4j.samples.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sample's YAML with the run's facts filled in: every {@code ${NAME}} of each {@code *.yaml} file of a directory
 * is replaced by its value (the ports the sample picked, the files it wrote), so the control plane serves ordinary
 * Envoy resources. A placeholder without a value is an error naming the file, not an empty string.
 */
final class ConfigTemplates {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}");

  private ConfigTemplates() {}

  /** Writes the filled-in files of {@code templates} into {@code target} (created if missing); returns {@code target}. */
  static Path render(Path templates, Path target, Map<String, String> values) throws IOException {
    Files.createDirectories(target);
    List<Path> files;
    try (var listing = Files.list(templates)) {
      files = listing.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IOException("no *.yaml files in " + templates);
    }
    for (Path file : files) {
      Files.writeString(target.resolve(file.getFileName().toString()), fill(file, Files.readString(file), values));
    }
    return target;
  }

  static String fill(Path file, String text, Map<String, String> values) {
    Matcher matcher = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (matcher.find()) {
      String value = values.get(matcher.group(1));
      if (value == null) {
        throw new IllegalArgumentException(file + ": no value for ${" + matcher.group(1) + "}");
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  /** Copies the templates shipped in the jar ({@code /config/*.yaml}) to {@code target}, for runs outside the tree. */
  static Path extractBundled(Path target, List<String> names) {
    try {
      Files.createDirectories(target);
      for (String name : names) {
        try (var in = ConfigTemplates.class.getResourceAsStream("/config/" + name)) {
          if (in == null) {
            throw new IOException("the jar lacks /config/" + name);
          }
          Files.copy(in, target.resolve(name));
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.mesh4j.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a reliability test measured, for {@code benchmarks/REPORT.md}: when the system property
 * {@code mesh4j.reliability.figures} names a file (as {@code benchmarks/run.sh} does when it runs these tests at the
 * issue's full counts), {@link #write()} appends a markdown table of the figures to it; otherwise it does nothing.
 * The benchmark report includes that file as its reliability section.
 */
public final class ReliabilityFigures {
  /** The system property naming the markdown file the figures are appended to. */
  public static final String FILE_PROPERTY = "mesh4j.reliability.figures";

  private final String title;
  private final Map<String, String> rows = new LinkedHashMap<>();

  private ReliabilityFigures(String title) {
    this.title = title;
  }

  /** Figures under {@code title}, a heading naming the test and its conditions. */
  public static ReliabilityFigures titled(String title) {
    return new ReliabilityFigures(title);
  }

  public ReliabilityFigures add(String measure, Object value) {
    rows.put(measure, String.valueOf(value));
    return this;
  }

  /** Milliseconds as seconds with two decimals. */
  public ReliabilityFigures addSeconds(String measure, long millis) {
    return add(measure, String.format(java.util.Locale.ROOT, "%.2f s", millis / 1000.0));
  }

  /** Appends the table to the figures file, if one is named; several tests append to the same file. */
  public void write() {
    String file = System.getProperty(FILE_PROPERTY);
    if (file == null || file.isBlank()) {
      return;
    }
    StringBuilder md = new StringBuilder();
    md.append("#### ").append(title).append("\n\n| measure | value |\n|---|---:|\n");
    rows.forEach((measure, value) -> md.append("| ").append(measure).append(" | ").append(value).append(" |\n"));
    md.append('\n');
    try {
      Path path = Path.of(file);
      if (path.getParent() != null) {
        Files.createDirectories(path.getParent());
      }
      Files.writeString(path, md, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the reliability figures to " + file, e);
    }
  }
}

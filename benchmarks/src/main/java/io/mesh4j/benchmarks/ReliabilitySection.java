package io.mesh4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The report's reliability section: the figures the reliability tests of mesh-runtime wrote (their
 * {@code ReliabilityFigures}) when {@code benchmarks/run.sh} ran them at the full counts. The tests assert the
 * issue's properties; this only shows what they measured. {@code main(report.md, figures.md)} replaces the section in
 * an existing report (or appends it), which {@code benchmarks/run.sh reliability} does without the other benchmarks.
 */
final class ReliabilitySection {
  static final String HEADING = "### Reliability at the issue's full figures";

  private ReliabilitySection() {}

  /** The section, or an empty string when the tests wrote no figures. */
  static String render(Path figures) throws IOException {
    if (!Files.isRegularFile(figures) || Files.size(figures) == 0) {
      return "";
    }
    return HEADING + "\n\n"
        + "Measured by mesh-runtime's reliability tests, run by `benchmarks/run.sh` with the issue's figures (each test"
        + " asserts its property: 0 failed calls, at least 99.5% succeeded with the p99 within the route timeout, the"
        + " change followed within 5 s of the reconnection); real control plane, servers and TLS on loopback, in the"
        + " tests' JVM.\n\n"
        + Files.readString(figures);
  }

  public static void main(String[] args) throws IOException {
    Path report = Path.of(args[0]);
    String section = render(Path.of(args[1]));
    if (section.isEmpty()) {
      throw new IllegalStateException("no reliability figures in " + args[1] + ": did the tests run?");
    }
    String md = Files.exists(report) ? Files.readString(report) : "";
    int start = md.indexOf(HEADING);
    if (start < 0) {
      md = md + (md.isEmpty() || md.endsWith("\n\n") ? "" : "\n") + section;
    } else {
      int end = md.indexOf("\n### ", start + HEADING.length());
      md = md.substring(0, start) + section + (end < 0 ? "" : md.substring(end + 1));
    }
    Files.writeString(report, md);
  }
}

package io.mesh4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime's packages form a graph without cycles, read top to bottom as docs/DESIGN.md draws it. Reads the main
 * sources as {@code package-cycles} does: an edge is any {@code io.mesh4j...Type} name in a file (imports, fully
 * qualified names, javadoc), plus nothing for same-package names.
 */
class PackageGraphTest {
  private static final String RUNTIME = "io.mesh4j.runtime";
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.mesh4j(?:\\.[a-z_][a-z0-9_]*)*)\\.[A-Z]");

  private static Map<String, Set<String>> graph;

  @BeforeAll
  static void readSources() throws IOException {
    graph = new TreeMap<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(PackageGraphTest::read);
    }
    assertThat(graph).as("runtime packages read from src/main/java").containsKeys(RUNTIME + ".route", RUNTIME + ".model");
  }

  private static void read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Matcher declared = PACKAGE.matcher(text);
    if (!declared.find()) {
      return;
    }
    String pkg = declared.group(1);
    Set<String> targets = graph.computeIfAbsent(pkg, p -> new TreeSet<>());
    Matcher reference = REFERENCE.matcher(text);
    while (reference.find()) {
      if (!reference.group(1).equals(pkg)) {
        targets.add(reference.group(1));
      }
    }
  }

  @Test
  void hasNoCycle() {
    List<String> cycles = new ArrayList<>();
    for (String start : graph.keySet()) {
      List<String> path = pathBack(start);
      if (path != null) {
        cycles.add(String.join(" -> ", path));
      }
    }
    assertThat(cycles).as("package cycles").isEmpty();
  }

  /** A path from {@code start} back to itself, or null. */
  private static List<String> pathBack(String start) {
    Map<String, String> parent = new TreeMap<>();
    Deque<String> queue = new ArrayDeque<>(List.of(start));
    while (!queue.isEmpty()) {
      String from = queue.removeFirst();
      for (String to : graph.getOrDefault(from, Set.of())) {
        if (to.equals(start)) {
          List<String> path = new ArrayList<>(List.of(start));
          for (String p = from; !p.equals(start); p = parent.get(p)) {
            path.add(1, p);
          }
          path.add(start);
          return path;
        }
        if (!parent.containsKey(to)) {
          parent.put(to, from);
          queue.addLast(to);
        }
      }
    }
    return null;
  }

  @Test
  void recordsViewsAndUtilitiesImportNothingOfTheRuntime() {
    for (String bottom : List.of("model", "view", "util")) {
      assertThat(runtimeImports(bottom)).as(bottom + " imports").isEmpty();
    }
  }

  @Test
  void policySeesClustersOnlyThroughItsOwnInterface() {
    assertThat(runtimeImports("policy")).as("policy imports").doesNotContain("cluster", "route", "engine");
  }

  @Test
  void filterSpiKnowsNoFilterImplementation() {
    assertThat(runtimeImports("filter")).as("filter imports").containsOnly("xds");
    assertThat(runtimeImports("filter.fault")).as("filter.fault imports").doesNotContain("route", "engine");
  }

  /** The runtime packages {@code pkg} (relative to io.mesh4j.runtime) refers to, relative names. */
  private static Set<String> runtimeImports(String pkg) {
    assertThat(graph).containsKey(RUNTIME + "." + pkg);
    Set<String> relative = new TreeSet<>();
    for (String target : graph.get(RUNTIME + "." + pkg)) {
      if (target.startsWith(RUNTIME + ".")) {
        relative.add(target.substring(RUNTIME.length() + 1));
      }
    }
    return relative;
  }
}

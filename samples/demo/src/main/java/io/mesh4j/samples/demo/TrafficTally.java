package io.mesh4j.samples.demo;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

/** The outcomes of the last N requests ("v1", "v2", or what went wrong), for the live split. Thread-safe. */
final class TrafficTally {

  /** Counts per outcome, in a stable order (versions first, then errors), and their total. */
  record Counts(Map<String, Integer> byOutcome, int total) {
    Counts {
      byOutcome = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(byOutcome));
    }
  }

  private final int window;
  private final Deque<String> outcomes;

  TrafficTally(int window) {
    if (window <= 0) {
      throw new IllegalArgumentException("window must be positive: " + window);
    }
    this.window = window;
    this.outcomes = new ArrayDeque<>(window);
  }

  int window() {
    return window;
  }

  synchronized void record(String outcome) {
    if (outcomes.size() == window) {
      outcomes.removeFirst();
    }
    outcomes.addLast(outcome);
  }

  synchronized Counts counts() {
    Map<String, Integer> counts = new TreeMap<>(TrafficTally::compareOutcomes);
    for (String outcome : outcomes) {
      counts.merge(outcome, 1, Integer::sum);
    }
    return new Counts(counts, outcomes.size());
  }

  /** Versions ("v1", "v2") sort before anything else, then alphabetically. */
  private static int compareOutcomes(String a, String b) {
    boolean aVersion = isVersion(a);
    boolean bVersion = isVersion(b);
    if (aVersion != bVersion) {
      return aVersion ? -1 : 1;
    }
    return a.compareTo(b);
  }

  static boolean isVersion(String outcome) {
    return outcome.matches("v\\d+");
  }
}

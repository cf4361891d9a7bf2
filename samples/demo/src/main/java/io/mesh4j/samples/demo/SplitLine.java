package io.mesh4j.samples.demo;

import java.util.Map;

/**
 * Renders one line of the live view:
 * {@code v1 ██████████████████ 90%  v2 ██ 10%   (last 50 requests; routes version 3)   new-search -> v2}.
 */
final class SplitLine {
  /** Characters of bar for 100%. */
  static final int BAR_WIDTH = 20;

  private SplitLine() {}

  static String render(TrafficTally.Counts counts, String routesVersion, String newSearchOutcome) {
    StringBuilder line = new StringBuilder();
    if (counts.total() == 0) {
      line.append("no responses yet");
    }
    for (Map.Entry<String, Integer> entry : counts.byOutcome().entrySet()) {
      int percent = Math.round(100f * entry.getValue() / counts.total());
      if (line.length() > 0) {
        line.append("  ");
      }
      line.append(entry.getKey()).append(' ')
          .append("█".repeat(Math.round(BAR_WIDTH * (float) entry.getValue() / counts.total())))
          .append(' ').append(percent).append('%');
    }
    line.append("   (last ").append(counts.total()).append(" requests; routes version ").append(routesVersion)
        .append(")   new-search -> ").append(newSearchOutcome);
    return line.toString();
  }
}

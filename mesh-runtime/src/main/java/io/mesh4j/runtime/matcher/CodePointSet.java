package io.mesh4j.runtime.matcher;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A set of Unicode code points as inclusive ranges: one regex character class while it is being read. */
final class CodePointSet {
  private static final int MAX = Character.MAX_CODE_POINT;

  private final List<int[]> ranges = new ArrayList<>();

  CodePointSet add(int lo, int hi) {
    ranges.add(new int[] {lo, hi});
    return this;
  }

  CodePointSet addAll(CodePointSet other) {
    ranges.addAll(other.normalized());
    return this;
  }

  /** Every code point from U+0000 to U+10FFFF not in this set. */
  CodePointSet complement() {
    CodePointSet result = new CodePointSet();
    int next = 0;
    for (int[] range : normalized()) {
      if (range[0] > next) {
        result.add(next, range[0] - 1);
      }
      next = range[1] + 1;
    }
    if (next <= MAX) {
      result.add(next, MAX);
    }
    return result;
  }

  /**
   * This set over the char alphabet of {@link Re2Parser}, as sorted disjoint pairs {@code lo0, hi0, lo1, hi1, ...}:
   * its non-surrogate BMP chars, plus the char U+D800 standing for all its code points beyond that (surrogate code
   * points and those above U+FFFF) if it has any.
   */
  int[] toCharRanges() {
    List<int[]> kept = new ArrayList<>();
    boolean beyond = false;
    for (int[] range : normalized()) {
      clip(range, 0, Character.MIN_SURROGATE - 1, kept);
      beyond |= clip(range, Character.MIN_SURROGATE, Character.MAX_SURROGATE, new ArrayList<>());
      clip(range, Character.MAX_SURROGATE + 1, Character.MAX_VALUE, kept);
      beyond |= range[1] > Character.MAX_VALUE;
    }
    if (beyond) {
      kept.add(new int[] {Character.MIN_SURROGATE, Character.MIN_SURROGATE});
      kept.sort(Comparator.comparingInt(r -> r[0]));
    }
    int[] pairs = new int[kept.size() * 2];
    for (int i = 0; i < kept.size(); i++) {
      pairs[2 * i] = kept.get(i)[0];
      pairs[2 * i + 1] = kept.get(i)[1];
    }
    return pairs;
  }

  private static boolean clip(int[] range, int lo, int hi, List<int[]> into) {
    int from = Math.max(range[0], lo);
    int to = Math.min(range[1], hi);
    if (from > to) {
      return false;
    }
    into.add(new int[] {from, to});
    return true;
  }

  /** Sorted, merged ranges. */
  private List<int[]> normalized() {
    List<int[]> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparingInt(r -> r[0]));
    List<int[]> merged = new ArrayList<>();
    for (int[] range : sorted) {
      int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && range[0] <= last[1] + 1) {
        last[1] = Math.max(last[1], range[1]);
      } else {
        merged.add(new int[] {range[0], range[1]});
      }
    }
    return merged;
  }
}

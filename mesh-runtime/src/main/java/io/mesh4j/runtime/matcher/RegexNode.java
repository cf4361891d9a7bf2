package io.mesh4j.runtime.matcher;

import java.util.List;

/**
 * A regex as {@link Re2Parser} reads it, over UTF-16 chars: what {@link ThompsonNfa} builds an automaton from.
 * Capture groups, laziness and whole-match anchors are gone: they do not change which strings match as a whole.
 */
sealed interface RegexNode {
  RegexNode EMPTY_STRING = new Concat(List.of());

  /** One char in any of the inclusive ranges {@code lo0, hi0, lo1, hi1, ...}; none: nothing matches. */
  record Chars(int[] ranges) implements RegexNode {}

  /** The parts one after another; no parts: the empty string. */
  record Concat(List<RegexNode> parts) implements RegexNode {}

  record Alternation(List<RegexNode> branches) implements RegexNode {}

  /** {@code min} to {@code max} repetitions of {@code node}; {@code max} is -1 when unbounded. */
  record Repeat(RegexNode node, int min, int max) implements RegexNode {}
}

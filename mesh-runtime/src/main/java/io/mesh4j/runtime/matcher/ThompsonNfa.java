package io.mesh4j.runtime.matcher;

import java.util.Arrays;
import java.util.List;

/**
 * A {@link RegexNode} as a Thompson NFA: states joined by char-range edges and empty (epsilon) edges, linear in the
 * size of the tree with its counted repetitions spelled out. Built here rather than with brics' operations, which
 * remove epsilon edges as they go and take cubic time on chains of optional parts such as {@code (a?){250}}.
 */
final class ThompsonNfa {
  final int start;
  final int accept;
  private int size;
  /** Per state, its char edges as triples {@code lo, hi, target}. */
  private int[][] charEdges = new int[16][];
  private int[] charEdgeInts = new int[16];
  private int[][] epsilonEdges = new int[16][];
  private int[] epsilonCount = new int[16];
  private final int maxStates;

  private ThompsonNfa(RegexNode node, int maxStates) throws TooLarge {
    this.maxStates = maxStates;
    this.start = newState();
    this.accept = newState();
    build(node, start, accept);
  }

  /** The NFA would have more states than allowed. */
  static final class TooLarge extends Exception {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super(null, null, false, false);
    }
  }

  /** @return the NFA, or null when it would have more than {@code maxStates} states */
  static ThompsonNfa of(RegexNode node, int maxStates) {
    try {
      return new ThompsonNfa(node, maxStates);
    } catch (TooLarge e) {
      return null;
    }
  }

  int size() {
    return size;
  }

  /** The number of ints in {@link #charEdges(int)} that are edges (three per edge). */
  int charEdgeInts(int state) {
    return charEdgeInts[state];
  }

  int[] charEdges(int state) {
    return charEdges[state];
  }

  int epsilonCount(int state) {
    return epsilonCount[state];
  }

  int[] epsilonEdges(int state) {
    return epsilonEdges[state];
  }

  /**
   * Adds paths from {@code from} to {@code to} spelling {@code node}. Every edge added leaves {@code from} or a new
   * state and enters {@code to} or a new state, so paths of parts built between the same two states never mix.
   */
  private void build(RegexNode node, int from, int to) throws TooLarge {
    if (node instanceof RegexNode.Chars chars) {
      int[] ranges = chars.ranges();
      for (int i = 0; i < ranges.length; i += 2) {
        addCharEdge(from, ranges[i], ranges[i + 1], to);
      }
    } else if (node instanceof RegexNode.Concat concat) {
      List<RegexNode> parts = concat.parts();
      if (parts.isEmpty()) {
        addEpsilon(from, to);
        return;
      }
      int current = from;
      for (int i = 0; i < parts.size(); i++) {
        int next = i == parts.size() - 1 ? to : newState();
        build(parts.get(i), current, next);
        current = next;
      }
    } else if (node instanceof RegexNode.Alternation alternation) {
      for (RegexNode branch : alternation.branches()) {
        build(branch, from, to);
      }
    } else if (node instanceof RegexNode.Repeat repeat) {
      buildRepeat(repeat.node(), repeat.min(), repeat.max(), from, to);
    } else {
      throw new AssertionError(node);
    }
  }

  private void buildRepeat(RegexNode node, int min, int max, int from, int to) throws TooLarge {
    int current = from;
    for (int i = 0; i < min; i++) {
      int next = i == min - 1 && max == min ? to : newState();
      build(node, current, next);
      current = next;
    }
    if (max < 0) {
      int loop = newState(); // a state of its own, so the loop's paths cannot leave through from's other edges
      addEpsilon(current, loop);
      build(node, loop, loop);
      addEpsilon(loop, to);
      return;
    }
    if (max == min) {
      if (min == 0) {
        addEpsilon(from, to);
      }
      return;
    }
    // x{n,m}: after n copies, each further copy may be skipped to the end: x(x(x)?)?, linear in m.
    for (int i = min; i < max; i++) {
      addEpsilon(current, to);
      int next = i == max - 1 ? to : newState();
      build(node, current, next);
      current = next;
    }
  }

  private int newState() throws TooLarge {
    if (size == maxStates) {
      throw new TooLarge();
    }
    if (size == charEdges.length) {
      int capacity = size * 2;
      charEdges = Arrays.copyOf(charEdges, capacity);
      charEdgeInts = Arrays.copyOf(charEdgeInts, capacity);
      epsilonEdges = Arrays.copyOf(epsilonEdges, capacity);
      epsilonCount = Arrays.copyOf(epsilonCount, capacity);
    }
    charEdges[size] = new int[0];
    epsilonEdges[size] = new int[0];
    return size++;
  }

  private void addCharEdge(int from, int lo, int hi, int to) {
    int n = charEdgeInts[from];
    if (n + 3 > charEdges[from].length) {
      charEdges[from] = Arrays.copyOf(charEdges[from], Math.max(6, n * 2));
    }
    charEdges[from][n] = lo;
    charEdges[from][n + 1] = hi;
    charEdges[from][n + 2] = to;
    charEdgeInts[from] = n + 3;
  }

  private void addEpsilon(int from, int to) {
    int n = epsilonCount[from];
    if (n == epsilonEdges[from].length) {
      epsilonEdges[from] = Arrays.copyOf(epsilonEdges[from], Math.max(2, n * 2));
    }
    epsilonEdges[from][n] = to;
    epsilonCount[from] = n + 1;
  }
}

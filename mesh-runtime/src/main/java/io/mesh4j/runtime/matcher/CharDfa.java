package io.mesh4j.runtime.matcher;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.State;
import dk.brics.automaton.Transition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A minimal DFA over UTF-16 chars as a compact transition table: chars fall into classes that every state treats
 * alike (found by a lookup for ASCII, a binary search above), and a run is one table read per char, without
 * allocating. A surrogate char is read as the marker of a code point beyond the BMP (see {@link Re2Parser}):
 * where the automaton could take it, the string is left {@link #UNDECIDED} for RE2J.
 */
final class CharDfa {
  static final int NO_MATCH = 0;
  static final int MATCH = 1;
  static final int UNDECIDED = 2;

  private static final int DEAD = -1;
  private static final int SURROGATE = -2;

  /** First char of each interval of chars the automaton treats alike, ascending from 0. */
  private final char[] intervalStarts;
  private final int[] intervalClass;
  private final int[] asciiClass;
  private final int classes;
  /**
   * Row-major by state, {@code classes} entries a row: the next state's row offset, or {@link #DEAD} or
   * {@link #SURROGATE}.
   */
  private final int[] next;
  private final boolean[] accepting;

  private CharDfa(char[] intervalStarts, int[] intervalClass, int classes, int[] next, boolean[] accepting) {
    this.intervalStarts = intervalStarts;
    this.intervalClass = intervalClass;
    this.classes = classes;
    this.next = next;
    this.accepting = accepting;
    this.asciiClass = new int[128];
    for (char c = 0; c < 128; c++) {
      asciiClass[c] = classOf(c);
    }
  }

  /**
   * The table of {@code dfa}, a minimal deterministic automaton; null when it has more than {@code maxStates} states
   * or its table would have more than {@code maxCells} entries.
   */
  static CharDfa of(Automaton dfa, int maxStates, int maxCells) {
    List<State> states = new ArrayList<>();
    states.add(dfa.getInitialState());
    for (State state : dfa.getStates()) {
      if (state != dfa.getInitialState()) {
        states.add(state);
      }
    }
    if (states.size() > maxStates) {
      return null;
    }
    Map<State, Integer> index = new HashMap<>();
    for (State state : states) {
      index.put(state, index.size());
    }
    TreeSet<Integer> pointSet = new TreeSet<>(List.of(0, (int) Character.MIN_SURROGATE, Character.MAX_SURROGATE + 1));
    for (State state : states) {
      for (Transition transition : state.getTransitions()) {
        pointSet.add((int) transition.getMin());
        if (transition.getMax() < Character.MAX_VALUE) {
          pointSet.add(transition.getMax() + 1);
        }
      }
    }
    char[] starts = new char[pointSet.size()];
    int k = 0;
    for (int point : pointSet) {
      starts[k++] = (char) point;
    }
    // One column per interval, then identical columns share a class.
    Map<List<Integer>, Integer> classOfColumn = new HashMap<>();
    List<int[]> columns = new ArrayList<>();
    int[] intervalClass = new int[starts.length];
    for (int i = 0; i < starts.length; i++) {
      boolean surrogate = Character.isSurrogate(starts[i]);
      int[] column = new int[states.size()];
      for (int s = 0; s < states.size(); s++) {
        // A surrogate starts a code point the automaton only knows by its marker, U+D800: a state that has no
        // marker transition cannot match, one that has leaves the string to RE2J.
        State dest = states.get(s).step(surrogate ? Character.MIN_SURROGATE : starts[i]);
        column[s] = dest == null ? DEAD : surrogate ? SURROGATE : index.get(dest);
      }
      List<Integer> key = Arrays.stream(column).boxed().toList();
      Integer cls = classOfColumn.get(key);
      if (cls == null) {
        cls = columns.size();
        classOfColumn.put(key, cls);
        columns.add(column);
      }
      intervalClass[i] = cls;
    }
    int classes = columns.size();
    if ((long) states.size() * classes > maxCells) {
      return null;
    }
    int[] next = new int[states.size() * classes];
    boolean[] accepting = new boolean[states.size()];
    for (int s = 0; s < states.size(); s++) {
      accepting[s] = states.get(s).isAccept();
      for (int c = 0; c < classes; c++) {
        int dest = columns.get(c)[s];
        next[s * classes + c] = dest < 0 ? dest : dest * classes;
      }
    }
    return new CharDfa(starts, intervalClass, classes, next, accepting);
  }

  /** Whether {@code text[0, end)} is in the language: {@link #MATCH}, {@link #NO_MATCH} or {@link #UNDECIDED}. */
  int run(String text, int end) {
    int[] next = this.next;
    int[] asciiClass = this.asciiClass;
    int row = 0;
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      row = next[row + (c < 128 ? asciiClass[c] : classOf(c))];
      if (row < 0) {
        return row == SURROGATE ? UNDECIDED : NO_MATCH;
      }
    }
    return accepting[row / classes] ? MATCH : NO_MATCH;
  }

  int states() {
    return accepting.length;
  }

  int classes() {
    return classes;
  }

  private int classOf(char c) {
    int i = Arrays.binarySearch(intervalStarts, c);
    return intervalClass[i >= 0 ? i : -i - 2];
  }

  /** About how many bytes the tables take: what a cache of DFAs weighs them by. */
  int footprint() {
    return 2 * intervalStarts.length + 4 * (intervalClass.length + asciiClass.length + next.length) + accepting.length;
  }
}

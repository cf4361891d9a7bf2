package io.mesh4j.runtime.matcher;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.State;
import dk.brics.automaton.Transition;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns a {@link ThompsonNfa} into a brics DFA by the subset construction, giving up (null) past a number of DFA
 * states or of steps. Some short regexes have exponentially many DFA states ({@code (a|b)*a(a|b){20}}): those stay on
 * RE2J, which is linear in the input without building a DFA.
 */
final class BoundedSubsetConstruction {
  private final ThompsonNfa nfa;
  private final int[] points;
  private final int[] mark;
  private int generation;
  private long steps;
  private final long maxSteps;

  /** The NFA states reached together (those with char edges, and the accepting one), sorted: a DFA state. */
  private record StateSet(int[] members) {
    @Override
    public boolean equals(Object other) {
      return other instanceof StateSet set && Arrays.equals(members, set.members);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(members);
    }
  }

  /** A bound was reached. */
  private static final class TooLarge extends Exception {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super(null, null, false, false);
    }
  }

  private BoundedSubsetConstruction(ThompsonNfa nfa, long maxSteps) {
    this.nfa = nfa;
    this.maxSteps = maxSteps;
    this.mark = new int[nfa.size()];
    TreeSet<Integer> pointSet = new TreeSet<>();
    pointSet.add(0);
    for (int s = 0; s < nfa.size(); s++) {
      int[] edges = nfa.charEdges(s);
      for (int e = 0; e < nfa.charEdgeInts(s); e += 3) {
        pointSet.add(edges[e]);
        if (edges[e + 1] < Character.MAX_VALUE) {
          pointSet.add(edges[e + 1] + 1);
        }
      }
    }
    this.points = pointSet.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * @param maxStates the most DFA states to build
   * @param maxSteps the most NFA states and edges to visit, a bound on the time taken
   * @return a deterministic automaton accepting what {@code nfa} accepts, or null when a bound was reached
   */
  static Automaton determinize(ThompsonNfa nfa, int maxStates, long maxSteps) {
    try {
      return new BoundedSubsetConstruction(nfa, maxSteps).run(maxStates);
    } catch (TooLarge e) {
      return null;
    }
  }

  private Automaton run(int maxStates) throws TooLarge {
    Map<StateSet, State> built = new HashMap<>();
    ArrayDeque<StateSet> pending = new ArrayDeque<>();
    StateSet start = closure(new int[] {nfa.start}, 1);
    State initial = newState(start);
    built.put(start, initial);
    pending.add(start);
    int[][] buckets = new int[points.length][];
    int[] bucketSizes = new int[points.length];
    while (!pending.isEmpty()) {
      StateSet current = pending.poll();
      State from = built.get(current);
      Arrays.fill(bucketSizes, 0);
      for (int member : current.members()) {
        int[] edges = nfa.charEdges(member);
        for (int e = 0; e < nfa.charEdgeInts(member); e += 3) {
          int k = Arrays.binarySearch(points, edges[e]);
          for (; k < points.length && points[k] <= edges[e + 1]; k++) {
            step();
            if (buckets[k] == null || buckets[k].length == bucketSizes[k]) {
              buckets[k] = buckets[k] == null ? new int[4] : Arrays.copyOf(buckets[k], bucketSizes[k] * 2);
            }
            buckets[k][bucketSizes[k]++] = edges[e + 2];
          }
        }
      }
      for (int k = 0; k < points.length; k++) {
        if (bucketSizes[k] == 0) {
          continue;
        }
        StateSet target = closure(buckets[k], bucketSizes[k]);
        State to = built.get(target);
        if (to == null) {
          if (built.size() >= maxStates) {
            throw new TooLarge();
          }
          to = newState(target);
          built.put(target, to);
          pending.add(target);
        }
        char last = (char) (k + 1 < points.length ? points[k + 1] - 1 : Character.MAX_VALUE);
        from.addTransition(new Transition((char) points[k], last, to));
      }
    }
    Automaton dfa = new Automaton();
    dfa.setInitialState(initial);
    dfa.setDeterministic(true);
    dfa.reduce();
    return dfa;
  }

  /** The states reachable from {@code seeds[0, count)} by epsilon edges that matter to the DFA, sorted. */
  private StateSet closure(int[] seeds, int count) throws TooLarge {
    generation++;
    int[] stack = new int[Math.max(16, count)];
    int top = 0;
    int[] kept = new int[16];
    int keptCount = 0;
    for (int i = 0; i < count; i++) {
      if (mark[seeds[i]] != generation) {
        mark[seeds[i]] = generation;
        stack = push(stack, top++, seeds[i]);
      }
    }
    while (top > 0) {
      int state = stack[--top];
      step();
      if (nfa.charEdgeInts(state) > 0 || state == nfa.accept) {
        if (keptCount == kept.length) {
          kept = Arrays.copyOf(kept, keptCount * 2);
        }
        kept[keptCount++] = state;
      }
      int[] epsilon = nfa.epsilonEdges(state);
      for (int e = 0; e < nfa.epsilonCount(state); e++) {
        if (mark[epsilon[e]] != generation) {
          mark[epsilon[e]] = generation;
          stack = push(stack, top++, epsilon[e]);
        }
      }
    }
    int[] members = Arrays.copyOf(kept, keptCount);
    Arrays.sort(members);
    return new StateSet(members);
  }

  private static int[] push(int[] stack, int top, int state) {
    int[] grown = top == stack.length ? Arrays.copyOf(stack, top * 2) : stack;
    grown[top] = state;
    return grown;
  }

  private void step() throws TooLarge {
    if (++steps > maxSteps) {
      throw new TooLarge();
    }
  }

  private State newState(StateSet set) {
    State state = new State();
    state.setAccept(Arrays.binarySearch(set.members(), nfa.accept) >= 0);
    return state;
  }
}

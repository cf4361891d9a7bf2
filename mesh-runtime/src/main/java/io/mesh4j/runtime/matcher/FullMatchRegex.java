package io.mesh4j.runtime.matcher;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.re2j.Pattern;
import dk.brics.automaton.Automaton;

/**
 * An RE2 regex that must match a whole string (Envoy's {@code RE2::FullMatch}), for matchers that only ask yes or no:
 * route {@code safe_regex}, header, query parameter and string matchers, subject-alt-names. Where the pattern's syntax
 * allows ({@link Re2Parser}) and its DFA stays small, a string is decided by a table-driven DFA ({@link CharDfa})
 * in one pass without allocating; RE2J decides every other pattern, and the strings with surrogates the DFA leaves
 * open. RE2J has always compiled the pattern first, so syntax errors and the program-size bound are RE2J's.
 * Rewrites, which need capture groups, use RE2J's {@link Pattern} directly.
 */
public final class FullMatchRegex {
  /**
   * The most states a regex's minimal DFA may have; past it (state explosion, as in {@code (a|b)*a(a|b){20}}) RE2J
   * decides. Typical route and SAN regexes have tens.
   */
  static final int MAX_DFA_STATES = 1024;
  /** The most entries of a DFA's table (states times char classes, 4 bytes each): 128 KB at most per regex. */
  static final int MAX_DFA_CELLS = 32 * 1024;

  /** The most NFA states a translation may build (RE2J's program-size bound keeps real patterns far below). */
  static final int MAX_NFA_STATES = 100_000;
  /** The most NFA states and edges the subset construction may visit: tens of milliseconds at most. */
  static final long MAX_CONSTRUCTION_STEPS = 1_000_000;

  /**
   * DFAs by pattern, so a regex repeated across virtual hosts, routes or pushes is determinized once: a config may
   * repeat one regex hundreds of times, and a pathological one within RE2J's size bound takes a good part of a second
   * to build. Weighed by table size (16 MB at most); a pattern without a DFA is remembered as {@link #NO_DFA}.
   */
  private static final Cache<String, Object> DFAS = Caffeine.newBuilder()
      .maximumWeight(16L << 20)
      .weigher((String pattern, Object dfa) -> pattern.length() + (dfa instanceof CharDfa c ? c.footprint() : 0))
      .build();
  private static final Object NO_DFA = new Object();

  private final Pattern re2;
  private final CharDfa dfa;

  private FullMatchRegex(Pattern re2, CharDfa dfa) {
    this.re2 = re2;
    this.dfa = dfa;
  }

  public static FullMatchRegex of(Pattern re2) {
    if (re2.flags() != 0) {
      return new FullMatchRegex(re2, null);
    }
    Object dfa = DFAS.get(re2.pattern(), pattern -> {
      CharDfa built = dfaFor(pattern);
      return built == null ? NO_DFA : built;
    });
    return new FullMatchRegex(re2, dfa instanceof CharDfa charDfa ? charDfa : null);
  }

  private static CharDfa dfaFor(String pattern) {
    try {
      Automaton dfa = minimalDfa(pattern);
      return dfa == null ? null : CharDfa.of(dfa, MAX_DFA_STATES, MAX_DFA_CELLS);
    } catch (Re2Parser.UnsupportedSyntax e) {
      return null;
    }
  }

  /** The minimal DFA of {@code pattern} over UTF-16 chars (see {@link Re2Parser}), or null when a bound was reached. */
  static Automaton minimalDfa(String pattern) throws Re2Parser.UnsupportedSyntax {
    ThompsonNfa nfa = ThompsonNfa.of(Re2Parser.parse(pattern), MAX_NFA_STATES);
    if (nfa == null) {
      return null;
    }
    Automaton dfa = BoundedSubsetConstruction.determinize(nfa, 2 * MAX_DFA_STATES, MAX_CONSTRUCTION_STEPS);
    if (dfa == null) {
      return null;
    }
    dfa.minimize();
    return dfa;
  }

  public boolean matches(String text) {
    return matches(text, text.length());
  }

  /** Whether the regex matches {@code text[0, end)} as a whole. */
  public boolean matches(String text, int end) {
    if (dfa != null) {
      int verdict = dfa.run(text, end);
      if (verdict != CharDfa.UNDECIDED) {
        return verdict == CharDfa.MATCH;
      }
    }
    return re2.matches(end == text.length() ? text : text.substring(0, end));
  }

  public String pattern() {
    return re2.pattern();
  }

  /** Whether a DFA decides surrogate-free strings (false: RE2J decides every string). */
  boolean hasDfa() {
    return dfa != null;
  }

  CharDfa dfa() {
    return dfa;
  }

  @Override
  public String toString() {
    return re2.pattern();
  }
}

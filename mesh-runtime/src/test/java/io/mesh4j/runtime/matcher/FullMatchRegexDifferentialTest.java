package io.mesh4j.runtime.matcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import dk.brics.automaton.Automaton;
import dk.brics.automaton.State;
import dk.brics.automaton.Transition;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The DFA matcher against RE2J's {@code matches()}: every pattern below times hand-picked strings, seeded random strings
 * over the pattern's own characters (with non-ASCII, surrogate pairs and lone surrogates mixed in), strings the
 * pattern's automaton accepts, and single-character mutations of those. Any disagreement fails the test.
 */
class FullMatchRegexDifferentialTest {

  /** Patterns the DFA must cover: the project's own test regexes, the shared route vectors, Istio/Envoy shapes, syntax. */
  static final List<String> DFA_PATTERNS = List.of(
      // the project's tests and benchmarks
      "/admin/[a-z]+/[0-9]+", "/items/[0-9]+", "^/split/(.*)$", "spiffe://.*/ns/default/.*", "y.*", ".*", ".+",
      "(a)", "\\d+[02468]", "^/service/([^/]+)(/.*)$", "^/tenant/([^/]+)/.*$", "^user=test-\\d+$", "user=test-\\d+",
      "a", "o", "old", "v", ".*/ns/foo/.*", ".*/ns/fo.o/.*", "(a{10}){10}", "[]a]", "[^]{}]*", "a{1000}", "a{2,50}",
      "[a-z]{1,63}(\\.[a-z]{1,63}){0,3}", "svc-[0-9]+\\.ns\\.svc\\.cluster\\.local|", "x{", "abc",
      // ../shared/vectors/route-matching.md
      "/t[io]c", "/baa+", "/[^c][au]t",
      // Istio / Envoy shapes
      "^/api/v[0-9]+/users/[^/]+$", ".*\\.svc\\.cluster\\.local", "spiffe://[^/]+/ns/foo/sa/.*",
      "spiffe://cluster\\.local/ns/[a-z0-9-]+/sa/[a-z0-9-]+", "^(GET|POST|PUT)$", "/v1/(users|groups)/[^/]+/members/?",
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "(?P<tenant>[a-z]+)\\.example\\.com",
      "(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)+[a-z]{2,}", "Bearer [A-Za-z0-9._~+/-]+=*", "^/static/.*\\.(css|js|png)$",
      "^/grpc\\.health\\.v1\\.Health/Check$", "/package\\.Service/(Method1|Method2)", "[a-zA-Z0-9_-]+",
      "^[^/]*$", "(/[^/]+)*/?", "^/$", "/[[:alpha:]]+/[[:digit:]]{2,4}", "[[:^space:]]+", "[[:word:][:punct:]]*",
      "\\w+@\\w+\\.com", "\\W\\S\\D", "[\\d\\s]+", "[^\\w]", "[^\\D]+", "[\\W\\d]", "ab*?c", "a+?b??c{2,}?",
      "(a|ab)(c|bcd)(d*)", "(a*)*", "(a*)+b", "(a|b)*abb", "a{0}", "a{0,0}b", "a{3,}", "(ab){2,3}",
      "\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\", "\\a\\f\\t\\n\\r\\v", "\\x41\\x{42}\\x{20AC}", "\\0\\01\\101\\1777",
      "[\\x00-\\x1F]+", "[a-]", "[-a]", "[a-c-e]", "[a-b--z]", "[\\-\\]]+", "[^\\n]*", "[^a]", "[^a]*", "a.c", ".",
      "..", "...", "\\A/x\\z", "^$", "^a$", "^(a|b)$", "a|", "|a", "()", "(|a)+", "é+", "[à-ÿ]+", "€|\\x{20AC}x",
      "😀", ".😀.", "[😀-😂]+", "[^😀]", "a\\x{1F600}?b", "[\\x{D800}-\\x{DFFF}]", "[^\\x{10000}-\\x{10FFFF}]*",
      "a{,3}", "a{01}", "{", "a}", "]", "[[]", "\\ \\#\\@\\~\\&\\<\\>\\\"\\'", "@#<>&~\"",
      "(?:(?:a|b)c)*d", "(?<name>ab)+", "[\\x{0}-\\x{10FFFF}]", "a\nb", "a\\\nb");

  /** Patterns RE2J keeps: syntax the translation does not cover, a DFA past the state bound, or past the step bound. */
  static final List<String> RE2J_PATTERNS = List.of(
      "(?i)^Bearer\\s+\\S+$", "\\bfoo\\b", "\\pL+", "\\p{Greek}+|\\x{263a}", "\\Q{literal}\\E.*", "a^b", "a$b",
      "(^a)", "(a$)", "(?s).", "(?i:a)b", "(a|b)*a(a|b){20}", "[0-1]*1[0-1]{15}", "x*\\z|y",
      "(a?){1000}a{1000}");

  @Test
  void theDfaAgreesWithRe2jOnEveryInput() {
    List<String> disagreements = new ArrayList<>();
    long compared = 0;
    for (String source : concat(DFA_PATTERNS, RE2J_PATTERNS)) {
      Pattern re2 = Pattern.compile(source);
      FullMatchRegex regex = FullMatchRegex.of(re2);
      for (String input : inputsFor(source, regex)) {
        compared++;
        boolean expected = re2.matches(input);
        if (regex.matches(input) != expected) {
          disagreements.add("/" + source + "/ on '" + escape(input) + "': RE2J says " + expected);
        }
        String withQuery = input + "?q=1";
        if (regex.matches(withQuery, input.length()) != expected) {
          disagreements.add("/" + source + "/ on the first " + input.length() + " chars of '" + escape(withQuery) + "'");
        }
      }
    }
    assertThat(disagreements).as("of %d comparisons", compared).isEmpty();
    assertThat(compared).isGreaterThan(100_000);
  }

  @Test
  void theCoveredSyntaxIsDecidedByTheDfa() {
    for (String source : DFA_PATTERNS) {
      assertThat(FullMatchRegex.of(Pattern.compile(source)).hasDfa()).as(source).isTrue();
    }
  }

  @Test
  void otherSyntaxAndStateExplosionStayOnRe2j() {
    for (String source : RE2J_PATTERNS) {
      assertThat(FullMatchRegex.of(Pattern.compile(source)).hasDfa()).as(source).isFalse();
    }
    assertThat(FullMatchRegex.of(Pattern.compile("a.c", Pattern.DOTALL)).hasDfa()).isFalse();
  }

  @Test
  void aDfaStaysWithinItsBounds() {
    CharDfa dfa = FullMatchRegex.of(Pattern.compile("[a-z]{1,63}(\\.[a-z]{1,63}){0,3}")).dfa();
    assertThat(dfa.states()).isLessThanOrEqualTo(FullMatchRegex.MAX_DFA_STATES);
    assertThat(dfa.states() * dfa.classes()).isLessThanOrEqualTo(FullMatchRegex.MAX_DFA_CELLS);
    CharDfa route = FullMatchRegex.of(Pattern.compile("^/api/v[0-9]+/users/[^/]+$")).dfa();
    assertThat(route.states()).isLessThan(20);
    assertThat(route.classes()).isLessThanOrEqualTo(16);
  }

  @Test
  void surrogatesAreReadAsCodePoints() {
    FullMatchRegex oneCodePoint = FullMatchRegex.of(Pattern.compile("."));
    assertThat(oneCodePoint.matches("😀")).isTrue();
    assertThat(oneCodePoint.matches("\uD83D")).isTrue(); // a lone surrogate is a code point of its own to RE2
    FullMatchRegex twoCodePoints = FullMatchRegex.of(Pattern.compile(".."));
    assertThat(twoCodePoints.matches("😀")).isFalse();
    assertThat(twoCodePoints.matches("😀x")).isTrue();
    assertThat(FullMatchRegex.of(Pattern.compile("a😀b")).matches("a😀b")).isTrue();
    assertThat(FullMatchRegex.of(Pattern.compile("[^/]+")).matches("x😀/")).isFalse();
  }

  private static List<String> inputsFor(String source, FullMatchRegex regex) {
    Random random = new Random(source.hashCode());
    Set<String> inputs = new LinkedHashSet<>(List.of(
        "", "a", "ab", "abc", "/", "/a", "/api/v1/users/bob", "/api/v12/users/", "/tic", "/tac", "/toc", "/tick",
        "/baa", "/ba", "/but", "/maut", "/cut", "/mut/", "/admin/users/42", "/admin/Users/42", "user=test-1223",
        "foo.ns.svc.cluster.local", ".svc.cluster.local", "spiffe://cluster.local/ns/foo/sa/bar",
        "spiffe://cluster.local/ns/foo/sa/", "spiffe://a/b/ns/foo/sa/x", "\n", "a\nb", "a\n", "😀", "a😀b", "\uD83D",
        "\uDE00", "x\uD83Dy", "\uDE00\uD83D", "é", "€", "€x", "abb", "aabb", "{", "a{01}", "a{,3}", "aaa", "]", "["));
    String alphabet = alphabetOf(source);
    for (int i = 0; i < 400; i++) {
      inputs.add(randomString(random, alphabet, random.nextInt(14)));
    }
    if (regex.hasDfa()) {
      Automaton automaton = automatonOf(source);
      for (int i = 0; i < 300; i++) {
        String accepted = walk(automaton, random);
        inputs.add(accepted);
        inputs.add(mutate(accepted, random, alphabet));
        inputs.add(mutate(mutate(accepted, random, alphabet), random, alphabet));
      }
    }
    return new ArrayList<>(inputs);
  }

  private static Automaton automatonOf(String source) {
    try {
      return FullMatchRegex.minimalDfa(source);
    } catch (Re2Parser.UnsupportedSyntax e) {
      throw new AssertionError(e);
    }
  }

  /** A random path through the automaton: a string it accepts (or the prefix of one, if it met a dead end). */
  private static String walk(Automaton automaton, Random random) {
    StringBuilder out = new StringBuilder();
    State state = automaton.getInitialState();
    for (int steps = 0; steps < 80; steps++) {
      if (state.isAccept() && random.nextInt(4) == 0) {
        break;
      }
      List<Transition> transitions = state.getSortedTransitions(false);
      if (transitions.isEmpty()) {
        break;
      }
      Transition t = transitions.get(random.nextInt(transitions.size()));
      if (t.getMin() == Character.MIN_SURROGATE) {
        out.append(random.nextBoolean() ? "😀" : "\uD800"); // the marker: any code point beyond the BMP's chars
      } else {
        int lo = t.getMin();
        int hi = t.getMax();
        if (hi > 0x7F && lo < 0x7F && random.nextInt(3) > 0) {
          hi = 0x7F;
        }
        char c = (char) (lo + random.nextInt(hi - lo + 1));
        if (Character.isSurrogate(c)) {
          c = 'x';
        }
        out.append(c);
      }
      state = t.getDest();
    }
    return out.toString();
  }

  private static String mutate(String input, Random random, String alphabet) {
    StringBuilder out = new StringBuilder(input);
    int at = input.isEmpty() ? 0 : random.nextInt(input.length());
    char c = alphabet.charAt(random.nextInt(alphabet.length()));
    switch (random.nextInt(3)) {
      case 0 -> out.insert(at, c);
      case 1 -> {
        if (!input.isEmpty()) {
          out.deleteCharAt(at);
        }
      }
      default -> {
        if (!input.isEmpty()) {
          out.setCharAt(at, c);
        }
      }
    }
    return out.toString();
  }

  /** The pattern's own characters, a few ordinary ones, and some that only non-ASCII or surrogate-aware code sees. */
  private static String alphabetOf(String source) {
    StringBuilder chars = new StringBuilder("az09/.-_ \n\t\u000Bé€\uD83D\uDE00\uD800");
    source.chars().filter(c -> !Character.isSurrogate((char) c) || c == 0xD83D || c == 0xDE00).forEach(c -> {
      if (chars.indexOf(String.valueOf((char) c)) < 0) {
        chars.append((char) c);
      }
    });
    return chars.toString();
  }

  private static String randomString(Random random, String alphabet, int length) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return out.toString();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04X", (int) c));
    }
    return out.toString();
  }
}

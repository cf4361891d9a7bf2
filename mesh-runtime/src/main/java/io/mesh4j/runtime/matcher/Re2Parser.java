package io.mesh4j.runtime.matcher;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads an RE2 pattern that RE2J has already accepted into a {@link RegexNode} tree of the strings it matches as a
 * whole, for the subset of RE2 whose meaning needs no look-around: literals and escapes, {@code .}, classes (ranges,
 * negation, {@code \d \w \s} and their complements with RE2's ASCII meanings, POSIX {@code [[:name:]]}), groups
 * (plain, non-capturing, named), alternation, every quantifier (greedy or lazy: laziness cannot change whether the
 * whole string matches), and {@code ^}/{@code \A} as the first character and {@code $}/{@code \z} as the last (always
 * true at a whole match's ends). Anything else, flags and {@code \b} among them, is {@link UnsupportedSyntax}: the
 * caller keeps RE2J. The pattern is never handed to brics' own parser, whose syntax differs from RE2's.
 *
 * <p>The tree reads UTF-16 chars. A string without surrogates has one char per code point, and there the tree and RE2
 * agree exactly. Every code point a pattern accepts beyond that (above U+FFFF, or a surrogate code point) becomes the
 * one marker char U+D800: the tree then over-approximates RE2 on strings with surrogates, which is enough for
 * {@link CharDfa} to know when no string starting with what it has read can match; it hands every other string that
 * contains a surrogate to RE2J.
 */
final class Re2Parser {
  private static final int MAX_CODE_POINT = Character.MAX_CODE_POINT;

  /** Syntax this translation does not cover; thrown without a stack trace, as it only steers the caller. */
  static final class UnsupportedSyntax extends Exception {
    private static final long serialVersionUID = 1L;

    UnsupportedSyntax(String what) {
      super(what, null, false, false);
    }
  }

  private final String pattern;
  private int pos;

  private Re2Parser(String pattern) {
    this.pattern = pattern;
  }

  static RegexNode parse(String pattern) throws UnsupportedSyntax {
    Re2Parser parser = new Re2Parser(pattern);
    RegexNode tree = parser.alternation();
    if (parser.pos != pattern.length()) {
      throw new UnsupportedSyntax("unbalanced ')' at " + parser.pos);
    }
    return tree;
  }

  private RegexNode alternation() throws UnsupportedSyntax {
    List<RegexNode> branches = new ArrayList<>();
    branches.add(concatenation());
    while (more() && peek() == '|') {
      pos++;
      branches.add(concatenation());
    }
    return branches.size() == 1 ? branches.get(0) : new RegexNode.Alternation(branches);
  }

  private RegexNode concatenation() throws UnsupportedSyntax {
    List<RegexNode> parts = new ArrayList<>();
    while (more() && peek() != '|' && peek() != ')') {
      parts.add(quantified(atom()));
    }
    return parts.size() == 1 ? parts.get(0) : new RegexNode.Concat(parts);
  }

  private RegexNode quantified(RegexNode atom) throws UnsupportedSyntax {
    RegexNode result = atom;
    while (more()) {
      int c = peek();
      if (c == '*') {
        pos++;
        result = new RegexNode.Repeat(result, 0, -1);
      } else if (c == '+') {
        pos++;
        result = new RegexNode.Repeat(result, 1, -1);
      } else if (c == '?') {
        pos++;
        result = new RegexNode.Repeat(result, 0, 1);
      } else if (c == '{') {
        int[] bounds = repeatBounds();
        if (bounds == null) {
          break; // RE2 reads a '{' that starts no valid repetition as a literal
        }
        result = new RegexNode.Repeat(result, bounds[0], bounds[1]);
      } else {
        break;
      }
      if (more() && peek() == '?') {
        pos++; // lazy: the same strings match as a whole
      }
    }
    return result;
  }

  /**
   * Reads {@code {n}}, {@code {n,}} or {@code {n,m}} at {@code pos} as RE2 does (no sign, no leading zero), moving past
   * it; {@code max} is -1 when unbounded. Returns null, not moving, when the text is not a repetition.
   */
  private int[] repeatBounds() {
    int at = pos + 1;
    int minEnd = digitsEnd(at);
    if (minEnd < 0) {
      return null;
    }
    int min = Integer.parseInt(pattern.substring(at, minEnd));
    int max = min;
    at = minEnd;
    if (at < pattern.length() && pattern.charAt(at) == ',') {
      at++;
      if (at < pattern.length() && pattern.charAt(at) == '}') {
        max = -1;
      } else {
        int maxEnd = digitsEnd(at);
        if (maxEnd < 0) {
          return null;
        }
        max = Integer.parseInt(pattern.substring(at, maxEnd));
        at = maxEnd;
      }
    }
    if (at >= pattern.length() || pattern.charAt(at) != '}') {
      return null;
    }
    pos = at + 1;
    return new int[] {min, max};
  }

  /** End of a run of 1 to 8 decimal digits at {@code at} without a leading zero, or -1. */
  private int digitsEnd(int at) {
    int end = at;
    while (end < pattern.length() && end - at <= 8 && isDigit(pattern.charAt(end))) {
      end++;
    }
    if (end == at || end - at > 8 || (end - at > 1 && pattern.charAt(at) == '0')) {
      return -1;
    }
    return end;
  }

  private RegexNode atom() throws UnsupportedSyntax {
    int c = peek();
    switch (c) {
      case '(':
        return group();
      case '[':
        return characterClass();
      case '.':
        pos++;
        return chars(new CodePointSet().add(0, '\n' - 1).add('\n' + 1, MAX_CODE_POINT));
      case '^':
        if (pos != 0) {
          throw new UnsupportedSyntax("'^' not at the start");
        }
        pos++;
        return RegexNode.EMPTY_STRING;
      case '$':
        if (pos != pattern.length() - 1) {
          throw new UnsupportedSyntax("'$' not at the end");
        }
        pos++;
        return RegexNode.EMPTY_STRING;
      case '\\':
        return escapeAtom();
      case '*':
      case '+':
      case '?':
        throw new UnsupportedSyntax("repetition without an argument");
      case '{':
        int start = pos;
        if (repeatBounds() != null) {
          pos = start;
          throw new UnsupportedSyntax("repetition without an argument");
        }
        pos++;
        return literal('{');
      default:
        pos += Character.charCount(c);
        return literal(c);
    }
  }

  private RegexNode group() throws UnsupportedSyntax {
    pos++;
    if (lookingAt("?")) {
      if (lookingAt("?:")) {
        pos += 2;
      } else if (lookingAt("?P<") || (lookingAt("?<") && !lookingAt("?<=") && !lookingAt("?<!"))) {
        int close = pattern.indexOf('>', pos);
        if (close < 0) {
          throw new UnsupportedSyntax("unterminated group name");
        }
        pos = close + 1;
      } else {
        throw new UnsupportedSyntax("flags or look-around at " + pos);
      }
    }
    RegexNode inner = alternation();
    if (!more() || peek() != ')') {
      throw new UnsupportedSyntax("missing ')'");
    }
    pos++;
    return inner;
  }

  private RegexNode escapeAtom() throws UnsupportedSyntax {
    if (pos + 1 >= pattern.length()) {
      throw new UnsupportedSyntax("trailing '\\'");
    }
    char e = pattern.charAt(pos + 1);
    CodePointSet perl = perlClass(e);
    if (perl != null) {
      pos += 2;
      return chars(perl);
    }
    if (e == 'A' && pos == 0) {
      pos += 2;
      return RegexNode.EMPTY_STRING;
    }
    if (e == 'z' && pos + 2 == pattern.length()) {
      pos += 2;
      return RegexNode.EMPTY_STRING;
    }
    return literal(escapedCodePoint());
  }

  private RegexNode characterClass() throws UnsupportedSyntax {
    pos++;
    boolean negated = lookingAt("^");
    if (negated) {
      pos++;
    }
    CodePointSet set = new CodePointSet();
    boolean first = true;
    while (first || (more() && peek() != ']')) {
      if (!more()) {
        throw new UnsupportedSyntax("unterminated class");
      }
      first = false;
      if (lookingAt("[:")) {
        int close = pattern.indexOf(":]", pos + 1); // as RE2J looks for it: "[:]" is a (bad) name
        if (close >= 0) {
          if (close < pos + 2) {
            throw new UnsupportedSyntax("empty POSIX class name");
          }
          CodePointSet posix = posixClass(pattern.substring(pos + 2, close));
          pos = close + 2;
          set.addAll(posix);
          continue;
        }
      }
      if (peek() == '\\' && pos + 1 < pattern.length()) {
        CodePointSet perl = perlClass(pattern.charAt(pos + 1));
        if (perl != null) {
          pos += 2;
          set.addAll(perl);
          continue;
        }
      }
      int lo = classCodePoint();
      int hi = lo;
      if (lookingAt("-") && pos + 1 < pattern.length() && pattern.charAt(pos + 1) != ']') {
        pos++;
        hi = classCodePoint();
        if (hi < lo) {
          throw new UnsupportedSyntax("reversed range");
        }
      }
      set.add(lo, hi);
    }
    if (!more()) {
      throw new UnsupportedSyntax("unterminated class");
    }
    pos++;
    // RE2J compiles with RE2's Perl flags, which include ClassNL: a negated class may match '\n'.
    return chars(negated ? set.complement() : set);
  }

  private int classCodePoint() throws UnsupportedSyntax {
    int c = peek();
    if (c == '\\') {
      return escapedCodePoint();
    }
    pos += Character.charCount(c);
    return c;
  }

  /** The code point of the escape at {@code pos} ({@code \n}, octal, hex, or an escaped punctuation character). */
  private int escapedCodePoint() throws UnsupportedSyntax {
    pos++; // the backslash
    if (!more()) {
      throw new UnsupportedSyntax("trailing '\\'");
    }
    int c = peek();
    pos += Character.charCount(c);
    switch (c) {
      case 'a':
        return 0x07;
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'v':
        return 0x0B;
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        if (!more() || !isOctal(peek())) {
          throw new UnsupportedSyntax("backreference");
        }
        return octal(c);
      case '0':
        return octal(c);
      case 'x':
        return hex();
      default:
        if (c < 0x80 && !Character.isLetterOrDigit(c)) {
          return c;
        }
        throw new UnsupportedSyntax("escape \\" + Character.toString(c));
    }
  }

  private int octal(int firstDigit) {
    int value = firstDigit - '0';
    for (int i = 1; i < 3 && more() && isOctal(peek()); i++) {
      value = value * 8 + (peek() - '0');
      pos++;
    }
    return value;
  }

  private int hex() throws UnsupportedSyntax {
    if (lookingAt("{")) {
      int close = pattern.indexOf('}', pos);
      if (close < 0) {
        throw new UnsupportedSyntax("unterminated \\x{");
      }
      int value = parseHex(pattern.substring(pos + 1, close));
      pos = close + 1;
      return value;
    }
    if (pos + 2 > pattern.length()) {
      throw new UnsupportedSyntax("short \\x");
    }
    int value = parseHex(pattern.substring(pos, pos + 2));
    pos += 2;
    return value;
  }

  private static int parseHex(String digits) throws UnsupportedSyntax {
    if (digits.isEmpty() || digits.length() > 8) {
      throw new UnsupportedSyntax("bad hex escape");
    }
    int value = 0;
    for (int i = 0; i < digits.length(); i++) {
      int d = Character.digit(digits.charAt(i), 16);
      if (d < 0) {
        throw new UnsupportedSyntax("bad hex escape");
      }
      value = value * 16 + d;
    }
    if (value > MAX_CODE_POINT) {
      throw new UnsupportedSyntax("hex escape beyond Unicode");
    }
    return value;
  }

  /** RE2's Perl classes, ASCII only; null when {@code e} names none. */
  private static CodePointSet perlClass(char e) {
    switch (e) {
      case 'd':
        return digits();
      case 'D':
        return digits().complement();
      case 'w':
        return word();
      case 'W':
        return word().complement();
      case 's':
        return space();
      case 'S':
        return space().complement();
      default:
        return null;
    }
  }

  private static CodePointSet digits() {
    return new CodePointSet().add('0', '9');
  }

  private static CodePointSet word() {
    return new CodePointSet().add('0', '9').add('A', 'Z').add('a', 'z').add('_', '_');
  }

  private static CodePointSet space() {
    return new CodePointSet().add('\t', '\n').add('\f', '\r').add(' ', ' ');
  }

  /** RE2's POSIX classes (ASCII), {@code name} as between {@code [:} and {@code :]}, {@code ^} negating. */
  private static CodePointSet posixClass(String name) throws UnsupportedSyntax {
    boolean negated = name.startsWith("^");
    CodePointSet set = new CodePointSet();
    switch (negated ? name.substring(1) : name) {
      case "alnum" -> set.add('0', '9').add('A', 'Z').add('a', 'z');
      case "alpha" -> set.add('A', 'Z').add('a', 'z');
      case "ascii" -> set.add(0, 0x7F);
      case "blank" -> set.add('\t', '\t').add(' ', ' ');
      case "cntrl" -> set.add(0, 0x1F).add(0x7F, 0x7F);
      case "digit" -> set.add('0', '9');
      case "graph" -> set.add('!', '~');
      case "lower" -> set.add('a', 'z');
      case "print" -> set.add(' ', '~');
      case "punct" -> set.add('!', '/').add(':', '@').add('[', '`').add('{', '~');
      case "space" -> set.add('\t', '\r').add(' ', ' ');
      case "upper" -> set.add('A', 'Z');
      case "word" -> set.add('0', '9').add('A', 'Z').add('a', 'z').add('_', '_');
      case "xdigit" -> set.add('0', '9').add('A', 'F').add('a', 'f');
      default -> throw new UnsupportedSyntax("POSIX class " + name);
    }
    return negated ? set.complement() : set;
  }

  private static RegexNode literal(int codePoint) {
    return chars(new CodePointSet().add(codePoint, codePoint));
  }

  /** One code point of {@code set}, as chars. */
  private static RegexNode chars(CodePointSet set) {
    return new RegexNode.Chars(set.toCharRanges());
  }

  private boolean more() {
    return pos < pattern.length();
  }

  private int peek() {
    return pattern.codePointAt(pos);
  }

  private boolean lookingAt(String text) {
    return pattern.startsWith(text, pos);
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isOctal(int c) {
    return c >= '0' && c <= '7';
  }
}
